using System.Text;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Random but valid values of every message Granary sends through Orleans (the contract records and
/// the persisted <see cref="ClientBucketState"/>), with edge values: the seeds mutations start from.
/// Strings are well-formed Unicode: Orleans writes strings as UTF-8, so a lone surrogate would come back
/// as U+FFFD by design (no Granary string carries one: ids are ASCII by <see cref="ClientIdRules"/> or configuration).
/// </summary>
internal static class Samples
{
    private static readonly string[] Words = ["", "a", "backend-1", "cluster", "gw-7", "ümlaut", "日本語", "😀emoji", "a/b", "\0", "http://127.0.0.1:5000/", "round_robin", "least_requests"];

    private static readonly long[] InterestingLongs = [0, 1, -1, long.MaxValue, long.MinValue, int.MaxValue, int.MinValue, 1_000_000_000];

    private static readonly double[] InterestingDoubles = [0, -0.0, 1, 0.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, 1e9];

    public static string String(ref FuzzRandom random, int maxLength = 40)
    {
        switch (random.Next(4))
        {
            case 0:
                return random.Pick(Words);
            case 1:
            {
                var chars = new char[random.Next(maxLength + 1)];
                for (var i = 0; i < chars.Length; i++)
                    chars[i] = (char)random.Next(0x20, 0x7F);
                return new string(chars);
            }
            case 2:
            {
                var builder = new StringBuilder();
                var length = random.Next(maxLength + 1);
                for (var i = 0; i < length; i++)
                {
                    var scalar = random.Next(4) switch
                    {
                        0 => random.Next(0x80, 0x800),
                        1 => random.Next(0x800, 0xD800),
                        2 => random.Next(0x10000, 0x110000),
                        _ => random.Next(0, 0x80),
                    };
                    builder.Append(char.ConvertFromUtf32(scalar));
                }
                return builder.ToString();
            }
            default:
                return new string('k', random.Next(maxLength * 8 + 1));
        }
    }

    public static string? NullableString(ref FuzzRandom random) => random.Chance(25) ? null : String(ref random);

    public static long Long(ref FuzzRandom random) => random.Chance(30) ? random.Pick(InterestingLongs) : random.NextInt64() >> random.Next(64);

    public static int Int(ref FuzzRandom random) => (int)Long(ref random);

    public static double Double(ref FuzzRandom random) => random.Chance(30) ? random.Pick(InterestingDoubles) : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 12));

    public static bool Bool(ref FuzzRandom random) => random.Chance(50);

    /// <summary>Any byte value, so values outside the enum's names are covered too.</summary>
    public static OutcomeKind Outcome(ref FuzzRandom random) => (OutcomeKind)(random.Chance(80) ? random.Next(5) : random.Next(256));

    public static BackendStatus Status(ref FuzzRandom random) =>
        new(Bool(ref random), Bool(ref random), Bool(ref random), Bool(ref random), Long(ref random), Double(ref random), Int(ref random), Long(ref random), Long(ref random));

    public static BackendDetails Details(ref FuzzRandom random)
    {
        var contributions = new InFlightContribution[random.Next(4)];
        for (var i = 0; i < contributions.Length; i++)
            contributions[i] = new InFlightContribution(String(ref random), Int(ref random), Long(ref random));
        var history = new List<BackendSample>(random.Next(5));
        for (var i = 0; i < history.Capacity; i++)
            history.Add(new BackendSample(Long(ref random), Double(ref random), Double(ref random)));
        return new BackendDetails(String(ref random), String(ref random), NullableString(ref random), Status(ref random), contributions,
            String(ref random), Long(ref random), Int(ref random), NullableString(ref random), Double(ref random), Double(ref random), history,
            String(ref random), Long(ref random));
    }

    public static OutcomeBatch Batch(ref FuzzRandom random)
    {
        var outcomes = new OutcomeSample[random.Chance(5) ? random.Next(200) : random.Next(6)];
        for (var i = 0; i < outcomes.Length; i++)
            outcomes[i] = new OutcomeSample(Outcome(ref random), Double(ref random));
        return new OutcomeBatch(String(ref random), Int(ref random), Int(ref random), outcomes);
    }

    /// <summary>
    /// Element-wise equality; two nulls are equal. Decoded bytes can hold null where the contract says a list
    /// (a record's field missing from the wire decodes as its default), so the comparison must take it.
    /// </summary>
    public static bool ListsEqual<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b) => a is null || b is null ? a is null && b is null : a.SequenceEqual(b);

    /// <summary>Every message type under test, by name.</summary>
    public static IReadOnlyList<SerializerTarget> Targets { get; } =
    [
        SerializerTarget.Of("AcquireTokens", (ref FuzzRandom r) => new AcquireTokens(Int(ref r))),
        SerializerTarget.Of("BackendConfig", (ref FuzzRandom r) => new BackendConfig(String(ref r), String(ref r), String(ref r), Int(ref r), NullableString(ref r),
            Int(ref r), Int(ref r), Int(ref r), Int(ref r), Int(ref r), Int(ref r), NullableString(ref r))),
        SerializerTarget.Of("BackendDetails", Details, static (a, b) =>
            ListsEqual(a.Contributions, b.Contributions) && ListsEqual(a.History, b.History)
            && a with { Contributions = [], History = [] } == b with { Contributions = [], History = [] },
            SerializerTarget.CapacityHintAllowance<InFlightContribution>() + SerializerTarget.CapacityHintAllowance<BackendSample>()),
        SerializerTarget.Of("BackendSample", (ref FuzzRandom r) => new BackendSample(Long(ref r), Double(ref r), Double(ref r))),
        SerializerTarget.Of("BackendStatus", Status),
        SerializerTarget.Of("ClientGrainState", (ref FuzzRandom r) => new ClientGrainState(String(ref r), Long(ref r), Double(ref r), Double(ref r), Long(ref r), Long(ref r), String(ref r))),
        SerializerTarget.Of("ClientLimits", (ref FuzzRandom r) => new ClientLimits(Long(ref r), Double(ref r))),
        SerializerTarget.Of("GatewayStats", (ref FuzzRandom r) => new GatewayStats(String(ref r), Double(ref r), Bool(ref r), Bool(ref r), Long(ref r), Long(ref r))),
        SerializerTarget.Of("InFlightContribution", (ref FuzzRandom r) => new InFlightContribution(String(ref r), Int(ref r), Long(ref r))),
        SerializerTarget.Of("InFlightReport", (ref FuzzRandom r) => new InFlightReport(String(ref r), Int(ref r), Int(ref r))),
        SerializerTarget.Of("LeaseTokens", (ref FuzzRandom r) => new LeaseTokens(Int(ref r), Int(ref r))),
        SerializerTarget.Of("OutcomeBatch", Batch, static (a, b) =>
            ListsEqual(a.Outcomes, b.Outcomes) && a with { Outcomes = [] } == b with { Outcomes = [] },
            SerializerTarget.CapacityHintAllowance<OutcomeSample>()),
        SerializerTarget.Of("OutcomeKind", Outcome),
        SerializerTarget.Of("OutcomeSample", (ref FuzzRandom r) => new OutcomeSample(Outcome(ref r), Double(ref r))),
        SerializerTarget.Of("RateLimitDecision", (ref FuzzRandom r) => new RateLimitDecision(Bool(ref r), Long(ref r), Long(ref r), Int(ref r), Int(ref r))),
        SerializerTarget.Of("RequestOutcome", (ref FuzzRandom r) => new RequestOutcome(String(ref r), Int(ref r), Int(ref r), Double(ref r), Outcome(ref r))),
        SerializerTarget.Of("TokenLease", (ref FuzzRandom r) => new TokenLease(Int(ref r), Long(ref r), Long(ref r), Int(ref r), Int(ref r))),
        SerializerTarget.Of("ClientBucketState", (ref FuzzRandom r) => new ClientBucketState(Double(ref r), Long(ref r), Long(ref r), Long(ref r))),
    ];
}

/// <summary>A value generator with the fuzzer's random source.</summary>
internal delegate T Generator<out T>(ref FuzzRandom random);
