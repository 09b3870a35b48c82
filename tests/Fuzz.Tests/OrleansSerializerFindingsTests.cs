using System.Text;
using Granary.Grains.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Two behaviours of Orleans 10.4.2's serializer the fuzzers found, pinned so they stay visible: both let
/// a few bytes from a connected peer (a gateway or a client; beyond loopback they need the cluster's
/// mutual TLS) cost a silo far more memory than they weigh. They are Orleans's, not Granary's, and are
/// reported rather than hidden. When one of these tests fails after an Orleans upgrade, the behaviour
/// changed: drop the matching allowance (<see cref="SerializerTarget.ListAllowance"/>) or this note.
/// </summary>
public sealed class OrleansSerializerFindingsTests
{
    /// <summary>Orleans's type name of the list a <c>List&lt;OutcomeSample&gt;</c> travels as.</summary>
    private static readonly byte[] ListTypeName = Encoding.UTF8.GetBytes("System.Collections.Generic.List`1[[granary.OutcomeSample]]");

    /// <summary>
    /// An <see cref="OutcomeBatch"/> of under 100 bytes whose <c>Outcomes</c> field carries a capacity hint of
    /// 16,384 and no element decodes to an empty batch after allocating a 16,384-element array (256 KiB, on
    /// the large-object heap): <c>ListInterfaceCodec.ReadFallback</c> trusts the hint up to
    /// <see cref="SerializerTarget.OrleansMaxCapacityHint"/> without comparing it with the bytes left.
    /// </summary>
    [Fact]
    public void Deserialize_InterfaceListCapacityHintWithoutElements_AllocatesSixteenThousandElements()
    {
        var serializer = SerializerTarget.Serializer;
        var valid = serializer.SerializeToArray(new OutcomeBatch("g", 1, 2, new List<OutcomeSample> { new(OutcomeKind.Success, 1), new(OutcomeKind.Timeout, 2) }));
        var nameEnd = valid.AsSpan().IndexOf(ListTypeName) + ListTypeName.Length;
        Assert.True(nameEnd > ListTypeName.Length, "The list's type name is not in the encoding any more: " + Convert.ToHexString(valid));
        // After the list's type: field 0 (capacity hint) as Fixed32 16384, end of list, end of batch.
        byte[] input = [.. valid[..nameEnd], 0x60, 0x00, 0x40, 0x00, 0x00, 0xE0, 0xE0];
        serializer.Deserialize<OutcomeBatch>(input);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var batch = serializer.Deserialize<OutcomeBatch>(input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(batch!.Outcomes);
        Assert.True(input.Length < 100, $"{input.Length} bytes");
        Assert.True(allocated >= SerializerTarget.OrleansMaxCapacityHint * 16L, $"{input.Length} bytes allocated {allocated} bytes");
    }

    /// <summary>
    /// <c>TypeCodec.TryRead</c> caches a parsed type under the 32-bit hash code written beside its name on
    /// the wire, without checking the hash: the same valid message sent with a new hash code each time adds
    /// a cache entry (about 160 bytes) that is never evicted, so a peer can grow a silo's memory without bound.
    /// </summary>
    [Fact]
    public void Deserialize_SameTypeNameUnderNewWireHashCodes_GrowsTheTypeCacheForEver()
    {
        const int Messages = 20_000;
        using var services = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(OutcomeBatch).Assembly)).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var valid = serializer.SerializeToArray(new OutcomeBatch("g", 1, 2, new List<OutcomeSample> { new(OutcomeKind.Success, 1), new(OutcomeKind.Timeout, 2) }));
        var name = valid.AsSpan().IndexOf(ListTypeName);
        // Type encoding: version byte 1, int32 hash code, varint name length (one byte for 58), name.
        var hashAt = name - 5;
        Assert.True(name > 6 && valid[hashAt - 1] == 1, "The type encoding changed: " + Convert.ToHexString(valid));
        serializer.Deserialize<OutcomeBatch>(valid);

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Messages; i++)
        {
            BitConverter.TryWriteBytes(valid.AsSpan(hashAt, 4), i * 7919 + 1);
            Assert.Equal(2, serializer.Deserialize<OutcomeBatch>(valid)!.Outcomes.Count);
        }
        var growth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        GC.KeepAlive(serializer);

        Assert.True(growth >= Messages * 64L, $"{Messages} messages grew the heap by {growth} bytes");
    }
}
