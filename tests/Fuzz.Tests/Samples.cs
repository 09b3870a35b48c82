using System.Buffers;
using System.Text;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Granary.Runtime;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;

namespace Granary.Fuzz.Tests;

/// <summary>Random but valid values of every wire type, and their encodings: the seeds mutations start from.</summary>
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

    public static BackendStatus Status(ref FuzzRandom random) =>
        new(Bool(ref random), Bool(ref random), Bool(ref random), Bool(ref random), Long(ref random), Double(ref random), Int(ref random), Long(ref random), Long(ref random));

    public static BackendDetails Details(ref FuzzRandom random)
    {
        var contributions = new InFlightContribution[random.Next(4)];
        for (var i = 0; i < contributions.Length; i++)
            contributions[i] = new InFlightContribution(String(ref random), Int(ref random), Long(ref random));
        var history = new BackendSample[random.Next(5)];
        for (var i = 0; i < history.Length; i++)
            history[i] = new BackendSample(Long(ref random), Double(ref random), Double(ref random));
        return new BackendDetails(String(ref random), String(ref random), NullableString(ref random), Status(ref random), contributions,
            String(ref random), Long(ref random), Int(ref random), NullableString(ref random), Double(ref random), Double(ref random), history);
    }

    public static GrainRequestHeader RequestHeader(ref FuzzRandom random)
    {
        var type = String(ref random, 20);
        var key = String(ref random, 60);
        return new GrainRequestHeader(new GrainId(type.Length is 0 or > 64 ? "client" : type, key.Length == 0 ? "k" : key), (ushort)random.Next(65536));
    }

    public static byte[] Encode<T>(T value) where T : IGrainCodec<T>
    {
        var output = new ArrayBufferWriter<byte>();
        T.Write(new GrainWriter(output), value);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Encode(GrainRequestHeader header, ReadOnlySpan<byte> arguments)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new GrainWriter(output);
        GrainRequestHeader.Write(writer, header);
        writer.WriteBytes(arguments);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Every codec under test, by name: a valid-value encoder and the decoder (which re-encodes what it read).</summary>
    public static IReadOnlyList<CodecTarget> Codecs { get; } =
    [
        CodecTarget.Of("AcquireTokens", (ref FuzzRandom r) => new AcquireTokens(Int(ref r))),
        CodecTarget.Of("BackendConfig", (ref FuzzRandom r) => new BackendConfig(String(ref r), String(ref r), String(ref r), Int(ref r), NullableString(ref r),
            Int(ref r), Int(ref r), Int(ref r), Int(ref r), Int(ref r), Int(ref r), NullableString(ref r))),
        CodecTarget.Of("BackendDetails", Details),
        CodecTarget.Of("BackendStatus", Status),
        CodecTarget.Of("ClientGrainState", (ref FuzzRandom r) => new ClientGrainState(String(ref r), Long(ref r), Double(ref r), Double(ref r), Long(ref r), Long(ref r), String(ref r))),
        CodecTarget.Of("ClientLimits", (ref FuzzRandom r) => new ClientLimits(Long(ref r), Double(ref r))),
        CodecTarget.Of("GatewayStats", (ref FuzzRandom r) => new GatewayStats(String(ref r), Double(ref r), Bool(ref r), Bool(ref r), Long(ref r), Long(ref r))),
        CodecTarget.Of("InFlightReport", (ref FuzzRandom r) => new InFlightReport(String(ref r), Int(ref r), Int(ref r))),
        CodecTarget.Of("RateLimitDecision", (ref FuzzRandom r) => new RateLimitDecision(Bool(ref r), Long(ref r), Long(ref r), Int(ref r), Int(ref r))),
        CodecTarget.Of("RequestOutcome", (ref FuzzRandom r) => new RequestOutcome(String(ref r), Int(ref r), Int(ref r), Double(ref r), (OutcomeKind)r.Next(5))),
        CodecTarget.Of("ClientBucketState", (ref FuzzRandom r) => new ClientBucketState(Double(ref r), Long(ref r), Long(ref r), Long(ref r))),
        CodecTarget.Of("CallError", (ref FuzzRandom r) => new CallError(String(ref r), String(ref r))),
        CodecTarget.Of("WrongSiloPayload", (ref FuzzRandom r) => new WrongSiloPayload(NullableString(ref r))),
        CodecTarget.Of("Empty", (ref FuzzRandom r) => default(Empty)),
        new CodecTarget("GrainRequestHeader",
            (ref FuzzRandom r) => Encode(RequestHeader(ref r), r.Bytes(8)),
            bytes =>
            {
                var reader = new GrainReader(bytes);
                var header = GrainRequestHeader.Read(ref reader);
                var arguments = reader.RemainingSpan;
                return Encode(header, arguments);
            }),
    ];
}

/// <summary>A value generator with the fuzzer's random source.</summary>
internal delegate T Generator<out T>(ref FuzzRandom random);

/// <summary>
/// One decoder under test. <see cref="RoundTrip"/> decodes bytes and re-encodes the value (so a
/// successful decode can be checked for stability); it throws what the decoder throws.
/// </summary>
internal sealed class CodecTarget(string name, Generator<byte[]> validEncoding, Func<byte[], byte[]> roundTrip)
{
    public string Name { get; } = name;

    public Generator<byte[]> ValidEncoding { get; } = validEncoding;

    public Func<byte[], byte[]> RoundTrip { get; } = roundTrip;

    public static CodecTarget Of<T>(string name, Generator<T> generate) where T : IGrainCodec<T> =>
        new(name, (ref FuzzRandom r) => Samples.Encode(generate(ref r)), bytes =>
        {
            var reader = new GrainReader(bytes);
            var value = T.Read(ref reader);
            // What follows a value is the caller's business (arguments, newer fields): keep it for the comparison.
            var rest = reader.RemainingSpan.ToArray();
            return [.. Samples.Encode(value), .. rest];
        });
}
