using Granary.Runtime.Serialization;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes every contract record's static Read (and <c>GrainRequestHeader.Read</c>) through
/// <see cref="GrainReader"/>: valid encodings round-trip byte for byte; mutated or random bytes
/// either decode to a value that re-encodes stably or throw <see cref="GrainSerializationException"/>,
/// nothing else, and never allocate out of proportion to the input.
/// </summary>
public sealed class CodecFuzzTests(ITestOutputHelper output, FuzzSink sink) : IClassFixture<FuzzSink>
{
    [Fact]
    public void Read_RandomAndMutatedEncodings_ThrowOnlyGrainSerializationException()
    {
        var report = FuzzRunner.Run(output, sink, "contract codecs", context =>
        {
            var random = context.NewRandom();
            var codec = random.Pick(Samples.Codecs);
            var valid = codec.ValidEncoding(ref random);
            context.Note = codec.Name;
            if (random.Chance(10))
            {
                context.Input = valid;
                var again = codec.RoundTrip(valid);
                if (!again.AsSpan().SequenceEqual(valid))
                    throw new FuzzPropertyException($"{codec.Name}: a valid encoding did not round-trip: {Convert.ToHexString(again)}");
                return;
            }
            var input = random.Chance(15)
                ? random.Bytes(random.Chance(50) ? 16 : 256)
                : Mutator.Mutate(ref random, valid, random.Pick(Samples.Codecs).ValidEncoding(ref random));
            context.Input = input;
            CheckDecode(codec, input);
        });
        report.AssertClean();
    }

    [Fact]
    public void Read_EveryPrefixOfValidEncodings_ThrowsOnlyGrainSerializationException()
    {
        var report = FuzzRunner.Run(output, sink, "contract codec prefixes", context =>
        {
            var random = context.NewRandom();
            var codec = random.Pick(Samples.Codecs);
            var valid = codec.ValidEncoding(ref random);
            context.Note = codec.Name;
            context.Input = valid;
            for (var length = 0; length < valid.Length; length++)
                CheckDecode(codec, valid[..length]);
        }, secondsShare: 0.4);
        report.AssertClean();
    }

    internal static void CheckDecode(CodecTarget codec, byte[] input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        byte[] reencoded;
        try
        {
            reencoded = codec.RoundTrip(input);
        }
        catch (GrainSerializationException)
        {
            CheckAllocation(codec.Name, input.Length, before);
            return;
        }
        CheckAllocation(codec.Name, input.Length, before);
        var again = codec.RoundTrip(reencoded);
        if (!again.AsSpan().SequenceEqual(reencoded))
            throw new FuzzPropertyException($"{codec.Name}: decoding is not stable: {Convert.ToHexString(reencoded)} became {Convert.ToHexString(again)}");
    }

    /// <summary>A decoder that trusts a count or length would allocate far beyond the input.</summary>
    internal static void CheckAllocation(string name, long inputLength, long before)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var budget = (64L * 1024) + (64L * inputLength);
        if (allocated > budget)
            throw new FuzzPropertyException($"{name}: decoding {inputLength} bytes allocated {allocated} bytes (budget {budget}).");
    }
}
