using System.Buffers;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Builds a <see cref="ReadOnlySequence{T}"/> from one array split into non-empty segments at random points.
/// Not empty ones: Orleans 10.4.2's sequence reader moves one segment ahead and reads it without checking
/// its length (<c>Reader.ReadByteSlow</c>), so an empty segment in the middle of valid bytes throws
/// <see cref="IndexOutOfRangeException"/>; Orleans's own message path reads its pooled buffers instead.
/// </summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(ref FuzzRandom random, byte[] data, out string note)
    {
        var cuts = new SortedSet<int>();
        var count = random.Next(1, 6);
        for (var i = 0; i < count && data.Length > 1; i++)
            cuts.Add(random.Next(1, data.Length));
        note = "split at " + string.Join(",", cuts);
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            // Copies, so a read past a segment's end cannot see its neighbour's bytes.
            var memory = data.AsMemory(start, cut - start).ToArray();
            if (first is null)
                first = last = new Segment(memory, 0);
            else
                last = last!.Append(memory);
            start = cut;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
