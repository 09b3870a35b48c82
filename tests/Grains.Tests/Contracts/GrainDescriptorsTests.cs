using System.Buffers;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Grains.Tests.Fakes;
using Granary.Runtime;
using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;
using Granary.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Tests.Contracts;

public sealed class GrainDescriptorsTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly SerializingInvoker _invoker = new();
    private readonly GrainFactory _factory;

    public GrainDescriptorsTests() => _factory = new GrainFactory(new GrainInterfaceRegistry(GrainDescriptors.All), _invoker);

    private async Task<IClientGrain> ClientAsync(string key)
    {
        var id = new GrainId(GrainDescriptors.ClientGrainType, key);
        var grain = await new FakeGrainContext(id, _time).ActivateAsync(
            new ClientGrain(new InMemoryClientRegistry(_time), Options.Create(new ClientDefaultsOptions { DefaultCapacity = 2, DefaultRatePerSec = 1 })));
        _invoker.Add(id, grain);
        return _factory.GetGrain<IClientGrain>(key);
    }

    private async Task<IBackendGrain> BackendAsync(string key)
    {
        var id = new GrainId(GrainDescriptors.BackendGrainType, key);
        var grain = await new FakeGrainContext(id, _time).ActivateAsync(new BackendGrain(new FakeHealthProber(), NullLogger<BackendGrain>.Instance));
        _invoker.Add(id, grain);
        return _factory.GetGrain<IBackendGrain>(key);
    }

    [Fact]
    public void All_HasClientBackendAndGatewayWithTheirTypeNames()
    {
        Assert.Equal(["client", "backend", "gateway"], GrainDescriptors.All.Select(d => d.GrainType));
        Assert.Equal(typeof(IGatewayGrain), GrainDescriptors.Gateway.InterfaceType);
        Assert.Equal([GatewayGrainMethods.GetStats], GrainDescriptors.Gateway.ReadOnlyMethods);
        Assert.Equal(typeof(IClientGrain), GrainDescriptors.Client.InterfaceType);
        Assert.Equal(typeof(IBackendGrain), GrainDescriptors.Backend.InterfaceType);
        Assert.Contains(ClientGrainMethods.GetState, GrainDescriptors.Client.ReadOnlyMethods);
        Assert.DoesNotContain(BackendGrainMethods.ReportOutcome, GrainDescriptors.Backend.ReadOnlyMethods);
    }

    [Fact]
    public void CreateReference_ImplementsInterfaceAndNamesGrain()
    {
        var reference = _factory.GetGrain<IClientGrain>("user1");
        Assert.Equal("client/user1", reference.ToString());
        Assert.IsAssignableFrom<GrainReference>(reference);
    }

    [Fact]
    public async Task ClientReference_EveryMethod_RoundTripsThroughBytes()
    {
        var client = await ClientAsync("user1");
        var first = await client.TryAcquireAsync(new AcquireTokens(1));
        Assert.Equal(new RateLimitDecision(true, 2, 1, 0, 1), first);
        await client.TryAcquireAsync(new AcquireTokens(1));
        Assert.Equal(new RateLimitDecision(false, 2, 0, 1, 2), await client.TryAcquireAsync(new AcquireTokens(1)));
        await client.SetLimitsAsync(new ClientLimits(50, 2.5));
        var state = await client.GetStateAsync();
        Assert.Equal(new ClientGrainState("user1", 50, 2.5, 0, 2, 1, ClientGrain.RegistrySource), state);
        await client.ResetLimitsAsync();
        Assert.Equal(ClientGrain.DefaultSource, (await client.GetStateAsync()).LimitsSource);
        Assert.Equal(
            [ClientGrainMethods.TryAcquire, ClientGrainMethods.TryAcquire, ClientGrainMethods.TryAcquire, ClientGrainMethods.SetLimits, ClientGrainMethods.GetState, ClientGrainMethods.ResetLimits, ClientGrainMethods.GetState],
            _invoker.Calls.Select(c => c.Method));
        Assert.All(_invoker.Calls.Where(c => c.Method == ClientGrainMethods.ResetLimits), c => Assert.Equal((0, 0), (c.ArgumentBytes, c.ResultBytes)));
    }

    [Fact]
    public async Task BackendReference_EveryMethod_RoundTripsThroughBytes()
    {
        var backend = await BackendAsync(BackendKey.For("web", "d1"));
        var config = new BackendConfig("web", "d1", "http://127.0.0.1:5001/", Weight: 3, ConsecutiveFailures: 1, BaseEjectionMs: 5000, Policy: "LeastTime");
        var status = await backend.ConfigureAsync(config);
        Assert.Equal(new BackendStatus(true, true, true, false, 0, 0, 3, 0, 0), status);
        status = await backend.ReportInFlightAsync(new InFlightReport("gw-ä", 4, 3000));
        Assert.Equal(4, status.TotalInFlight);
        status = await backend.ReportOutcomeAsync(new RequestOutcome("gw-ä", 3, 3000, 12.5, OutcomeKind.Success));
        Assert.Equal((3L, 12.5, 1L), (status.TotalInFlight, status.EwmaLatencyMs, status.Requests));
        status = await backend.ReportOutcomeAsync(new RequestOutcome("gw-ä", 2, 3000, 1, OutcomeKind.Timeout));
        Assert.True(status.Ejected);
        Assert.Equal(status, await backend.GetStatusAsync());
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        var details = await backend.GetDetailsAsync();
        Assert.Equal(("web", "d1", "http://127.0.0.1:5001/"), (details.ClusterId, details.DestinationId, details.Address));
        Assert.Equal([new InFlightContribution("gw-ä", 2, 2000)], details.Contributions);
        Assert.Equal(1, details.Ejections);
        Assert.StartsWith("1 consecutive failures (last: Timeout)", details.HealthReason);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds() - 1000, details.HealthChangedUnixMs);
        Assert.Equal(("LeastTime", 2.0), (details.Policy, details.RequestsPerSec));
        Assert.Equal([new BackendSample(_time.GetUtcNow().ToUnixTimeMilliseconds() - 1000, 2, 6.75)], details.History);
        Assert.InRange(details.P99LatencyMs, 11.5, 13.6);
    }

    [Fact]
    public async Task GatewayReference_EveryMethod_RoundTripsThroughBytes()
    {
        var id = new GrainId(GrainDescriptors.GatewayGrainType, "gw-ä");
        _invoker.Add(id, await new FakeGrainContext(id, _time).ActivateAsync(new GatewayGrain()));
        var gateway = _factory.GetGrain<IGatewayGrain>("gw-ä");
        Assert.Equal(new GatewayStats("gw-ä", 0, false, false, 0, 0), await gateway.GetStatsAsync());

        await gateway.ReportAsync(new GatewayStats("gw-ä", 456.7, true, true, 3, 1));

        Assert.Equal(new GatewayStats("gw-ä", 456.7, true, true, 3, _time.GetUtcNow().ToUnixTimeMilliseconds()), await gateway.GetStatsAsync());
        Assert.Equal([GatewayGrainMethods.GetStats, GatewayGrainMethods.Report, GatewayGrainMethods.GetStats], _invoker.Calls.Select(c => c.Method));
        Assert.Equal(0, _invoker.Calls[1].ResultBytes);
        Assert.Throws<UnknownGrainMethodException>(() => GrainDescriptors.Gateway.Dispatch(new GatewayGrain(), 9, ReadOnlyMemory<byte>.Empty, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public async Task Dispatch_UnknownMethod_Throws()
    {
        var grain = new ClientGrain(new InMemoryClientRegistry(_time), Options.Create(new ClientDefaultsOptions()));
        var e = Assert.Throws<UnknownGrainMethodException>(() => GrainDescriptors.Client.Dispatch(grain, 99, ReadOnlyMemory<byte>.Empty, new ArrayBufferWriter<byte>()));
        Assert.Contains("99", e.Message);
        var backend = new BackendGrain(new FakeHealthProber(), NullLogger<BackendGrain>.Instance);
        Assert.Throws<UnknownGrainMethodException>(() => GrainDescriptors.Backend.Dispatch(backend, 0, ReadOnlyMemory<byte>.Empty, new ArrayBufferWriter<byte>()));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Dispatch_TruncatedOrTrailingArguments_ThrowsSerializationException()
    {
        await ClientAsync("u");
        var grain = new ClientGrain(new InMemoryClientRegistry(_time), Options.Create(new ClientDefaultsOptions()));
        Assert.Throws<GrainSerializationException>(() => GrainDescriptors.Client.Dispatch(grain, ClientGrainMethods.TryAcquire, new byte[] { 1, 0 }, new ArrayBufferWriter<byte>()));
        Assert.Throws<GrainSerializationException>(() => GrainDescriptors.Client.Dispatch(grain, ClientGrainMethods.TryAcquire, new byte[] { 1, 0, 0, 0, 9 }, new ArrayBufferWriter<byte>()));
        Assert.Throws<GrainSerializationException>(() => GrainDescriptors.Client.Dispatch(grain, ClientGrainMethods.GetState, new byte[] { 0 }, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public async Task ClientReference_LeaseTokens_GrantsWhatTheBucketHoldsAndTakesReturns()
    {
        var client = await ClientAsync("leased"); // capacity 2 at 1 token/s: at most 1 token per lease

        var first = await client.LeaseTokensAsync(new LeaseTokens(5, 0));
        Assert.Equal(new TokenLease(1, Limit: 2, Remaining: 1, ResetSeconds: 1, NextTokenMs: 0), first);
        await client.LeaseTokensAsync(new LeaseTokens(1, 0));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        var empty = await client.LeaseTokensAsync(new LeaseTokens(1, 0));
        Assert.Equal((0, 750), (empty.Granted, empty.NextTokenMs));

        var returned = await client.LeaseTokensAsync(new LeaseTokens(0, 1)); // 0.25 + 1 handed back
        Assert.Equal((0, 1L, 0), (returned.Granted, returned.Remaining, returned.NextTokenMs));
        var state = await client.GetStateAsync();
        Assert.Equal(1.25, state.Tokens, 6);
        Assert.Equal(2, state.Admitted); // granted tokens count as admitted
        await Assert.ThrowsAsync<ArgumentException>(() => client.LeaseTokensAsync(new LeaseTokens(-1, 0)).AsTask());
    }

    [Fact]
    public async Task BackendReference_ReportBatch_AppliesEveryOutcomeInOrder()
    {
        var backend = await BackendAsync(BackendKey.For("web", "d2"));
        await backend.ConfigureAsync(new BackendConfig("web", "d2", "http://127.0.0.1:5002/", ConsecutiveFailures: 2, BaseEjectionMs: 5000));

        var status = await backend.ReportBatchAsync(new OutcomeBatch("gw1", 7, 3000,
            [new OutcomeSample(OutcomeKind.Success, 10), new OutcomeSample(OutcomeKind.ServerError, 2), new OutcomeSample(OutcomeKind.Success, 20)]));
        Assert.Equal((7L, 3L, 1L, false), (status.TotalInFlight, status.Requests, status.Failures, status.Ejected));
        Assert.InRange(status.EwmaLatencyMs, 10, 20);

        status = await backend.ReportBatchAsync(new OutcomeBatch("gw1", 0, 3000,
            [new OutcomeSample(OutcomeKind.Timeout, 1), new OutcomeSample(OutcomeKind.ConnectFailure, 1)]));
        Assert.True(status.Ejected); // two consecutive failures within one batch
        Assert.Equal((0L, 5L, 3L), (status.TotalInFlight, status.Requests, status.Failures));
    }

    [Fact]
    public void OutcomeBatch_MalformedBytes_ThrowsSerializationException()
    {
        var buffer = new ArrayBufferWriter<byte>();
        OutcomeBatch.Write(new GrainWriter(buffer), new OutcomeBatch("g", 1, 1000, [new OutcomeSample(OutcomeKind.Success, 1.5)]));
        var bytes = buffer.WrittenSpan.ToArray();
        var reader = new GrainReader(bytes);
        Assert.Equal(1.5, OutcomeBatch.Read(ref reader).Outcomes[0].LatencyMs);

        var unknownKind = (byte[])bytes.Clone();
        unknownKind[^9] = 200;
        var count = bytes.Length - 13; // offset of the int32 count
        var huge = (byte[])bytes.Clone();
        huge[count + 3] = 0x7f;
        Assert.Throws<GrainSerializationException>(() => { var r = new GrainReader(unknownKind); OutcomeBatch.Read(ref r); });
        Assert.Throws<GrainSerializationException>(() => { var r = new GrainReader(huge); OutcomeBatch.Read(ref r); });
        Assert.Throws<GrainSerializationException>(() => { var r = new GrainReader(bytes.AsSpan(0, bytes.Length - 4)); OutcomeBatch.Read(ref r); });
        Assert.Throws<ArgumentException>(() => OutcomeBatch.Write(new GrainWriter(buffer), new OutcomeBatch("g", 0, 1000, new OutcomeSample[OutcomeBatch.MaxOutcomes + 1])));
    }
}
