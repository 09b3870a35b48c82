using System.Buffers;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes <see cref="FrameCodec"/> over contiguous and multi-segment sequences. Properties: the only
/// exception is <see cref="FrameFormatException"/> (and <see cref="GrainSerializationException"/> from
/// the payload decoders); a decoded frame's payload has the header's length and consumes exactly
/// header + payload; the result does not depend on how the bytes are split into segments; and a
/// prefix of the input never decodes differently from the whole (it may only stop earlier).
/// </summary>
public sealed class FrameDecoderFuzzTests(ITestOutputHelper output, FuzzSink sink) : IClassFixture<FuzzSink>
{
    private static readonly int[] Caps = [0, 12, 13, 17, 64, 1024, 4096, FrameCodec.DefaultMaxFrameBytes, int.MaxValue];

    [Fact]
    public void TryReadFrame_RandomAndMutatedStreams_KeepsFramingProperties()
    {
        var report = FuzzRunner.Run(output, sink, "frame decoder", context =>
        {
            var random = context.NewRandom();
            var (valid, lengthOffsets) = ValidStream(ref random);
            byte[] input;
            switch (random.Next(10))
            {
                case 0:
                    input = random.Bytes(random.Chance(50) ? 24 : 512);
                    break;
                case 1:
                    input = valid;
                    break;
                default:
                    input = Mutator.Mutate(ref random, valid, ValidStream(ref random).Bytes, lengthOffsets);
                    break;
            }
            context.Input = input;
            var cap = random.Chance(70) ? FrameCodec.DefaultMaxFrameBytes : random.Pick(Caps);
            var whole = Decode(new ReadOnlySequence<byte>(input), cap);
            var split = Segments.Split(ref random, input, out var note);
            context.Note = $"cap {cap}, {note}";
            var segmented = Decode(split, cap);
            if (!whole.SameAs(segmented))
                throw new FuzzPropertyException($"Contiguous and segmented decodes differ: {whole} vs {segmented}");
            if (input == valid && cap == FrameCodec.DefaultMaxFrameBytes && (whole.Error is not null || whole.Remaining != 0))
                throw new FuzzPropertyException($"A valid stream did not decode completely: {whole}");

            var prefixLength = random.Next(input.Length + 1);
            var prefix = Decode(new ReadOnlySequence<byte>(input, 0, prefixLength), cap);
            if (!prefix.IsPrefixOf(whole))
                throw new FuzzPropertyException($"The first {prefixLength} bytes decode differently from the whole: {prefix} vs {whole}");
        });
        report.AssertClean();
    }

    [Fact]
    public void TryReadPreamble_RandomAndMutatedStarts_ThrowsOnlyFrameFormatException()
    {
        var report = FuzzRunner.Run(output, sink, "preamble", context =>
        {
            var random = context.NewRandom();
            var preamble = FrameCodec.Preamble.ToArray();
            var seed = random.Next(3) switch
            {
                0 => preamble[..random.Next(preamble.Length + 1)],
                1 => [.. preamble, .. random.Bytes(20)],
                _ => random.Bytes(12),
            };
            var input = random.Chance(50) ? Mutator.Mutate(ref random, seed, preamble) : seed;
            context.Input = input;
            var sequence = random.Chance(50) ? new ReadOnlySequence<byte>(input) : Segments.Split(ref random, input, out _);
            var startsRight = input.AsSpan().StartsWith(preamble);
            var couldStillBe = input.Length < preamble.Length && preamble.AsSpan().StartsWith(input);
            try
            {
                var ok = FrameCodec.TryReadPreamble(ref sequence);
                if (ok && (!startsRight || sequence.Length != input.Length - preamble.Length))
                    throw new FuzzPropertyException($"Accepted a wrong preamble or advanced wrongly (left {sequence.Length}).");
                if (!ok && (!couldStillBe || sequence.Length != input.Length))
                    throw new FuzzPropertyException("Waited for more bytes although the verdict was already known, or advanced.");
            }
            catch (FrameFormatException)
            {
                if (startsRight || couldStillBe)
                    throw new FuzzPropertyException("Rejected a (prefix of the) valid preamble.");
            }
        }, secondsShare: 0.2);
        report.AssertClean();
    }

    /// <summary>A stream of 1–5 valid frames with typical payloads, and the offsets of their length fields.</summary>
    internal static (byte[] Bytes, List<int> LengthOffsets) ValidStream(ref FuzzRandom random)
    {
        var output = new ArrayBufferWriter<byte>();
        var offsets = new List<int>();
        var count = random.Next(1, 6);
        for (var i = 0; i < count; i++)
        {
            var kind = (FrameKind)random.Next(1, 8);
            byte[] payload = kind switch
            {
                FrameKind.Request or FrameKind.OneWay => Samples.Encode(Samples.RequestHeader(ref random), random.Pick(Samples.Codecs).ValidEncoding(ref random)),
                FrameKind.Response => random.Pick(Samples.Codecs).ValidEncoding(ref random),
                FrameKind.Error => Samples.Encode(new CallError(Samples.String(ref random), Samples.String(ref random))),
                FrameKind.WrongSilo => Samples.Encode(new WrongSiloPayload(Samples.NullableString(ref random))),
                _ => [],
            };
            offsets.Add(output.WrittenCount);
            FrameCodec.WriteFrame(output, kind, (uint)random.NextInt32(), Samples.Long(ref random), payload);
        }
        return (output.WrittenSpan.ToArray(), offsets);
    }

    /// <summary>Reads frames until the decoder stops, checking each; decodes each payload as its kind says.</summary>
    private static DecodeResult Decode(ReadOnlySequence<byte> buffer, int cap)
    {
        var frames = new List<(FrameHeader Header, byte[] Payload)>();
        var inputLength = buffer.Length;
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            while (true)
            {
                var start = buffer;
                if (!FrameCodec.TryReadFrame(ref buffer, cap, out var header, out var payload))
                {
                    if (buffer.Length != start.Length)
                        throw new FuzzPropertyException("TryReadFrame returned false but advanced the buffer.");
                    return new DecodeResult(frames, buffer.Length, null);
                }
                if (payload.Length != header.PayloadLength || header.PayloadLength < 0)
                    throw new FuzzPropertyException($"Payload of {payload.Length} bytes for a header saying {header.PayloadLength}.");
                if (start.Length - buffer.Length != FrameHeader.Size + header.PayloadLength)
                    throw new FuzzPropertyException($"Consumed {start.Length - buffer.Length} bytes for a {header.PayloadLength}-byte payload.");
                if (header.Kind is < FrameKind.Request or > FrameKind.Pong || FrameHeader.FixedSizeAfterLength + (long)header.PayloadLength > cap)
                    throw new FuzzPropertyException($"Accepted {header} under cap {cap}.");
                if (!FrameCodec.TryReadHeader(start, cap, out var again) || again != header)
                    throw new FuzzPropertyException($"TryReadHeader disagrees with TryReadFrame: {again} vs {header}.");
                var bytes = payload.ToArray();
                DecodePayload(header.Kind, bytes);
                frames.Add((header, bytes));
            }
        }
        catch (FrameFormatException e)
        {
            return new DecodeResult(frames, buffer.Length, e.Message);
        }
        finally
        {
            CodecFuzzTests.CheckAllocation("frames", inputLength * 4, before);
        }
    }

    private static void DecodePayload(FrameKind kind, byte[] payload)
    {
        try
        {
            var reader = new GrainReader(payload);
            switch (kind)
            {
                case FrameKind.Request or FrameKind.OneWay:
                    GrainRequestHeader.Read(ref reader);
                    break;
                case FrameKind.Error:
                    CallError.Read(ref reader);
                    break;
                case FrameKind.WrongSilo:
                    WrongSiloPayload.Read(ref reader);
                    break;
                case FrameKind.Response:
                    foreach (var codec in Samples.Codecs)
                    {
                        try
                        {
                            codec.RoundTrip(payload);
                        }
                        catch (GrainSerializationException)
                        {
                        }
                    }
                    break;
                default:
                    break;
            }
        }
        catch (GrainSerializationException)
        {
        }
    }

    private sealed record DecodeResult(List<(FrameHeader Header, byte[] Payload)> Frames, long Remaining, string? Error)
    {
        public bool SameAs(DecodeResult other) =>
            Remaining == other.Remaining && Error == other.Error && IsFramePrefixOf(other) && Frames.Count == other.Frames.Count;

        /// <summary>A decode of a prefix: the same first frames, then it stops (false) or fails exactly where the whole failed.</summary>
        public bool IsPrefixOf(DecodeResult whole) =>
            IsFramePrefixOf(whole) && (Error is null || (Error == whole.Error && Frames.Count == whole.Frames.Count));

        private bool IsFramePrefixOf(DecodeResult other) =>
            Frames.Count <= other.Frames.Count
            && Frames.Zip(other.Frames).All(p => p.First.Header == p.Second.Header && p.First.Payload.AsSpan().SequenceEqual(p.Second.Payload));

        public override string ToString() => $"{Frames.Count} frames, {Remaining} bytes left, error {Error ?? "none"}";
    }
}
