using System.Reflection;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Granary.Grains.Tests.Contracts;

/// <summary>
/// Every grain message (and the stored bucket) through Orleans's serializer, as the wire and grain
/// storage carry them: each round-trips equal, and each has a stable <c>granary.*</c> alias.
/// </summary>
public sealed class MessageSerializationTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(IClientGrain).Assembly).AddAssembly(typeof(ClientBucketState).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static readonly BackendStatus Status = new(true, false, true, true, 7, 12.5, 3, 100, 2);

    /// <summary>One value of every serializable type of the contracts (and <see cref="ClientBucketState"/>), fields set to non-defaults.</summary>
    public static TheoryData<object> Messages() =>
    [
        new AcquireTokens(3),
        new BackendConfig("web", "d1", "http://127.0.0.1:5001/", 3, "/healthz", 500, 250, 4, 5, 6, 7000, "LeastTime"),
        new BackendConfig("web", "d2", "http://127.0.0.1:5002/"),
        new BackendDetails("web", "d1", "http://127.0.0.1:5001/", Status,
            [new InFlightContribution("gw1", 4, 9000), new InFlightContribution("gw-ä", 3, 8000)],
            "2 consecutive probe successes", 1_763_700_000_000, 1, "LeastConnections", 123.4, 45.6,
            [.. Enumerable.Range(0, BackendDetails.MaxHistory).Select(i => new BackendSample(1_763_700_000_000 + (i * 1000L), i * 1.5, i / 3.0))],
            "active check failed: connection refused (3 in a row)", 1_763_699_000_000),
        new BackendDetails("web", "d2", null, default, [], "", 0, 0, null, 0, 0, [], "", 0),
        new BackendSample(1_763_700_000_000, 12.5, 3.25),
        Status,
        new ClientGrainState("user1", 50, 2.5, 1.25, 10, 3, ClientGrain.RegistrySource),
        new ClientLimits(1_000_000_000, 0.5),
        new GatewayStats("gw-ä", 456.7, true, false, 3, 1_763_700_000_000),
        new InFlightContribution("gw1", 4, 9000),
        new InFlightReport("gw1", 4, 3000),
        new LeaseTokens(25, 3),
        new OutcomeBatch("gw1", 2, 3000, [new OutcomeSample(OutcomeKind.Success, 1.5), new OutcomeSample(OutcomeKind.Canceled, 2)]),
        new OutcomeBatch("gw1", 0, 3000, [.. Enumerable.Range(0, OutcomeBatch.MaxOutcomes).Select(i => new OutcomeSample((OutcomeKind)(i % 5), i))]),
        OutcomeKind.Timeout,
        new OutcomeSample(OutcomeKind.ConnectFailure, 1000.25),
        new RateLimitDecision(false, 100, 0, 2, 7),
        new RequestOutcome("gw1", 3, 3000, 12.5, OutcomeKind.ServerError),
        new TokenLease(25, 100, 75, 3, 40),
        new ClientBucketState(1.5, 1_767_225_600_000, 10, 3),
    ];

    [Theory]
    [MemberData(nameof(Messages), DisableDiscoveryEnumeration = true)]
    public void Message_ThroughOrleansSerializer_RoundTripsEqual(object message)
    {
        var copy = Serializer.Deserialize<object>(Serializer.SerializeToArray(message));

        Assert.IsType(message.GetType(), copy);
        switch (message)
        {
            case BackendDetails details:
                var detailsCopy = (BackendDetails)copy;
                Assert.Equal(details.Contributions, detailsCopy.Contributions);
                Assert.Equal(details.History, detailsCopy.History);
                Assert.Equal(details with { Contributions = detailsCopy.Contributions, History = detailsCopy.History }, detailsCopy);
                break;
            case OutcomeBatch batch:
                var batchCopy = (OutcomeBatch)copy;
                Assert.Equal(batch.Outcomes, batchCopy.Outcomes);
                Assert.Equal(batch with { Outcomes = batchCopy.Outcomes }, batchCopy);
                break;
            default:
                Assert.Equal(message, copy);
                break;
        }
    }

    [Fact]
    public void Messages_CoverEverySerializableContractType()
    {
        var covered = ((IEnumerable<object[]>)Messages()).Select(row => row[0].GetType()).ToHashSet();
        var serializable = typeof(IClientGrain).Assembly.GetTypes().Append(typeof(ClientBucketState))
            .Where(t => t.GetCustomAttribute<GenerateSerializerAttribute>() is not null);

        Assert.All(serializable, t => Assert.Contains(t, covered));
    }

    [Fact]
    public void SerializableContractTypesAndGrainInterfaces_HaveStableGranaryAliases()
    {
        var types = typeof(IClientGrain).Assembly.GetTypes().Append(typeof(ClientBucketState))
            .Where(t => t.GetCustomAttribute<GenerateSerializerAttribute>() is not null || (t.IsInterface && typeof(IGrain).IsAssignableFrom(t)))
            .ToList();

        Assert.All(types, t => Assert.StartsWith("granary.", t.GetCustomAttribute<AliasAttribute>()?.Alias));
    }
}
