using System.Buffers.Binary;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Byte-level mutations in the style of AFL/libFuzzer: bit flips, interesting values, 32-bit
/// field overwrites (length fields), truncation, insertion, deletion, duplication and splicing.
/// </summary>
internal static class Mutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x0F, 0x10, 0x0D, 0x0C, 0x0E];

    private static readonly uint[] InterestingUInt32 =
    [
        0, 1, 12, 13, 14, 16, 17, 127, 128, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
        1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 13, int.MaxValue, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0,
    ];

    /// <summary>Applies 1–4 random mutations to a copy of <paramref name="input"/>; <paramref name="other"/> feeds splicing.</summary>
    public static byte[] Mutate(ref FuzzRandom random, byte[] input, byte[]? other = null, IReadOnlyList<int>? fieldOffsets = null)
    {
        var data = new List<byte>(input);
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
            MutateOnce(ref random, data, other, fieldOffsets);
        return [.. data];
    }

    private static void MutateOnce(ref FuzzRandom random, List<byte> data, byte[]? other, IReadOnlyList<int>? fieldOffsets)
    {
        switch (random.Next(11))
        {
            case 0 when data.Count > 0: // bit flip
                data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0: // interesting byte
                data[random.Next(data.Count)] = random.Pick(InterestingBytes);
                break;
            case 2 when data.Count > 0: // random byte
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 3 when data.Count >= 4: // interesting 32-bit value, often at a known length field
            {
                var offset = fieldOffsets is { Count: > 0 } && random.Chance(70)
                    ? random.Pick(fieldOffsets)
                    : random.Next(data.Count - 3);
                if (offset > data.Count - 4)
                    break;
                Span<byte> field = stackalloc byte[4];
                var value = random.Chance(80) ? random.Pick(InterestingUInt32) : (uint)random.NextInt32();
                if (random.Chance(20))
                    value = BinaryPrimitives.ReadUInt32LittleEndian(CollectionsMarshalSpan(data, offset)) + (uint)random.Next(-3, 4);
                BinaryPrimitives.WriteUInt32LittleEndian(field, value);
                for (var k = 0; k < 4; k++)
                    data[offset + k] = field[k];
                break;
            }
            case 4 when data.Count > 0: // truncate
            {
                var newLength = random.Next(data.Count);
                data.RemoveRange(newLength, data.Count - newLength);
                break;
            }
            case 5: // insert random bytes
            {
                var bytes = random.Bytes(random.Chance(80) ? 8 : 64);
                data.InsertRange(random.Next(data.Count + 1), bytes);
                break;
            }
            case 6 when data.Count > 0: // delete a range
            {
                var start = random.Next(data.Count);
                data.RemoveRange(start, random.Next(1, Math.Min(16, data.Count - start) + 1));
                break;
            }
            case 7 when data.Count > 0: // duplicate a range
            {
                var start = random.Next(data.Count);
                var length = random.Next(1, Math.Min(32, data.Count - start) + 1);
                data.InsertRange(random.Next(data.Count + 1), data.GetRange(start, length));
                break;
            }
            case 8 when other is { Length: > 0 }: // splice with another input
            {
                var cut = random.Next(data.Count + 1);
                var from = random.Next(other.Length);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            }
            case 9 when data.Count > 0: // varint continuation bytes (long/overflowing LEB128)
            {
                var at = random.Next(data.Count);
                var run = random.Next(1, 7);
                for (var k = 0; k < run && at + k < data.Count; k++)
                    data[at + k] = (byte)(0x80 | random.Next(256));
                break;
            }
            case 10: // append random tail
                data.AddRange(random.Bytes(16));
                break;
            default:
                data.Add((byte)random.Next(256));
                break;
        }
    }

    private static ReadOnlySpan<byte> CollectionsMarshalSpan(List<byte> data, int offset) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(data).Slice(offset, 4);
}
