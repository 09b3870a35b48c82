using System.Reflection;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes Orleans's serializer on every message Granary sends or stores (<see cref="Samples.Targets"/>):
/// valid values round-trip equal; random, mutated, spliced and truncated bytes given to
/// <c>Serializer.Deserialize&lt;T&gt;</c> keep <see cref="DecodeCheck"/>'s properties. A hang fails the run
/// (<see cref="FuzzRunner"/>); a crash would end the test process.
/// </summary>
public sealed class SerializerFuzzTests(ITestOutputHelper output, FuzzSink sink) : IClassFixture<FuzzSink>
{
    [Fact]
    public void Targets_EveryGeneratedSerializerTypeOfGranary_IsFuzzed()
    {
        var generated = new[] { typeof(AcquireTokens).Assembly, typeof(ClientBucketState).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.GetCustomAttribute<GenerateSerializerAttribute>() is not null)
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal);

        Assert.Equal(generated, Samples.Targets.Select(t => t.Type.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Deserialize_RandomValidValues_RoundTripEqual()
    {
        var report = FuzzRunner.Run(output, sink, "serializer round trip", context =>
        {
            var random = context.NewRandom();
            var target = random.Pick(Samples.Targets);
            var value = target.Generate(ref random);
            context.Note = target.Name;
            var bytes = target.Encode(value);
            context.Input = bytes;
            var decoded = target.Decode(bytes);
            if (!target.Equal(value, decoded))
                throw new FuzzPropertyException($"{target.Name}: {value} came back as {decoded}");
            var segmented = target.Decode(Segments.Split(ref random, bytes, out var note));
            if (!target.Equal(value, segmented))
                throw new FuzzPropertyException($"{target.Name}: {value} came back from a segmented buffer ({note}) as {segmented}");
            if (!target.Encode(decoded).AsSpan().SequenceEqual(bytes))
                throw new FuzzPropertyException($"{target.Name}: the decoded value encodes differently: {Convert.ToHexString(target.Encode(decoded))}");
        }, secondsShare: 0.4);
        report.AssertClean();
    }

    [Fact]
    public void Deserialize_RandomAndMutatedBytes_DecodeOrThrowOnlyExpectedExceptions()
    {
        var tally = new DecodeTally();
        var report = FuzzRunner.Run(output, sink, "serializer decode", context =>
        {
            var random = context.NewRandom();
            var target = random.Pick(Samples.Targets);
            var other = random.Pick(Samples.Targets);
            byte[] input;
            switch (random.Next(10))
            {
                case 0:
                    input = random.Bytes(random.Chance(50) ? 16 : 256);
                    context.Note = target.Name + ", random bytes";
                    break;
                case 1:
                    input = other.ValidEncoding(ref random);
                    context.Note = $"{target.Name}, given a valid {other.Name}";
                    break;
                default:
                    input = Mutator.Mutate(ref random, target.ValidEncoding(ref random), other.ValidEncoding(ref random));
                    context.Note = $"{target.Name}, mutated (splice from {other.Name})";
                    break;
            }
            context.Input = input;
            DecodeCheck.Check(target, input, ref random, tally);
        });
        Summarize(report, tally);
        report.AssertClean();
    }

    [Fact]
    public void Deserialize_EveryPrefixOfValidEncodings_DecodeOrThrowOnlyExpectedExceptions()
    {
        var tally = new DecodeTally();
        var report = FuzzRunner.Run(output, sink, "serializer prefixes", context =>
        {
            var random = context.NewRandom();
            var target = random.Pick(Samples.Targets);
            var valid = target.ValidEncoding(ref random);
            context.Note = target.Name;
            context.Input = valid;
            for (var length = 0; length < valid.Length; length++)
                DecodeCheck.Check(target, valid[..length], ref random, tally);
        }, secondsShare: 0.3);
        Summarize(report, tally);
        report.AssertClean();
    }

    private void Summarize(FuzzReport report, DecodeTally tally)
    {
        var line = $"[fuzz] {report.Target}: {tally}";
        output.WriteLine(line);
        sink.Write(line);
    }
}
