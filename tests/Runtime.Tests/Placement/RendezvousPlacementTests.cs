using System.Text;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;

namespace Granary.Runtime.Tests.Placement;

public sealed class RendezvousPlacementTests
{
    private static readonly SiloAddress A = new("127.0.0.1", 11111, 1000);
    private static readonly SiloAddress B = new("127.0.0.1", 11112, 1000);
    private static readonly SiloAddress C = new("127.0.0.1", 11113, 1000);
    private static readonly SiloAddress D = new("10.0.0.4", 11111, 1000);

    private static IEnumerable<GrainId> Grains(int count) =>
        Enumerable.Range(0, count).Select(i => new GrainId(i % 2 == 0 ? "client" : "backend", $"key-{i}"));

    [Fact]
    public void SelectOwner_SameGrainAndSilos_SameOwnerWhateverTheOrder()
    {
        SiloAddress[] forward = [A, B, C, D];
        SiloAddress[] backward = [D, C, B, A];

        foreach (var grain in Grains(500))
        {
            var owner = RendezvousPlacement.SelectOwner(grain, forward);
            Assert.NotNull(owner);
            Assert.Equal(owner, RendezvousPlacement.SelectOwner(grain, backward));
            Assert.Equal(owner, RendezvousPlacement.SelectOwner(grain, [.. forward]));
        }
    }

    [Fact]
    public void SelectOwner_KnownInput_StableAcrossProcesses()
    {
        // Pinned: placement must not depend on string.GetHashCode or process state.
        Assert.Equal(RendezvousPlacement.HashGrain(new GrainId("client", "user1")), RendezvousPlacement.HashGrain(new GrainId("client", "user1")));
        Assert.NotEqual(RendezvousPlacement.HashGrain(new GrainId("client", "user1")), RendezvousPlacement.HashGrain(new GrainId("backend", "user1")));
        Assert.Equal(0xaf63dc4c8601ec8cUL, RendezvousPlacement.Fnv1a(RendezvousPlacement.Fnv1aOffset, "a"));
    }

    [Fact]
    public void SelectOwner_NoSilos_ReturnsNull() =>
        Assert.Null(RendezvousPlacement.SelectOwner(new GrainId("client", "a"), []));

    [Fact]
    public void SelectOwner_OneSilo_AlwaysThatSilo()
    {
        foreach (var grain in Grains(100))
            Assert.Equal(B, RendezvousPlacement.SelectOwner(grain, [B]));
    }

    [Fact]
    public void SelectOwner_SiloRemoved_OnlyItsGrainsMove()
    {
        SiloAddress[] before = [A, B, C, D];
        SiloAddress[] after = [A, B, D];
        var moved = 0;

        foreach (var grain in Grains(2000))
        {
            var oldOwner = RendezvousPlacement.SelectOwner(grain, before);
            var newOwner = RendezvousPlacement.SelectOwner(grain, after);
            if (oldOwner == C)
            {
                Assert.NotEqual(C, newOwner);
                moved++;
            }
            else
            {
                Assert.Equal(oldOwner, newOwner);
            }
        }

        Assert.InRange(moved, 300, 700); // about a quarter of 2000
    }

    [Fact]
    public void SelectOwner_SiloAdded_GrainsMoveOnlyToNewSilo()
    {
        SiloAddress[] before = [A, B, C];
        SiloAddress[] after = [A, B, C, D];

        foreach (var grain in Grains(2000))
        {
            var oldOwner = RendezvousPlacement.SelectOwner(grain, before);
            var newOwner = RendezvousPlacement.SelectOwner(grain, after);
            Assert.True(newOwner == oldOwner || newOwner == D, $"{grain} moved from {oldOwner} to {newOwner}");
        }
    }

    [Fact]
    public void SelectOwner_RestartedSiloNewGeneration_IsADifferentMember()
    {
        var restarted = C with { Generation = 2000 };
        var differs = Grains(1000).Count(g => RendezvousPlacement.SelectOwner(g, [A, B, C]) == C
            && RendezvousPlacement.SelectOwner(g, [A, B, restarted]) != restarted);

        Assert.True(differs > 0, "a new generation hashes differently");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void SelectOwner_ManyGrains_SpreadEvenlyWithinTwentyPercent(int siloCount)
    {
        var silos = Enumerable.Range(0, siloCount).Select(i => new SiloAddress("127.0.0.1", 11111 + i, 1_700_000_000_000 + i)).ToArray();
        const int grainCount = 3000;

        var counts = Grains(grainCount).GroupBy(g => RendezvousPlacement.SelectOwner(g, silos)).ToDictionary(g => g.Key!, g => g.Count());

        var expected = grainCount / (double)siloCount;
        Assert.Equal(siloCount, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, expected * 0.8, expected * 1.2));
    }

    [Fact]
    public void SelectOwnerIndex_PrecomputedHashes_SameOwnerAsSelectOwner()
    {
        SiloAddress[] silos = [A, B, C, D];
        var siloHashes = silos.Select(RendezvousPlacement.HashSilo).ToArray();

        foreach (var grain in Grains(500))
        {
            var index = RendezvousPlacement.SelectOwnerIndex(RendezvousPlacement.HashGrain(grain), siloHashes, silos);
            Assert.Equal(RendezvousPlacement.SelectOwner(grain, silos), silos[index]);
        }
        Assert.Equal(-1, RendezvousPlacement.SelectOwnerIndex(1, [], []));
    }

    [Fact]
    public void HashGrain_NonAsciiKey_HashesUtf8OfTypeSlashKey()
    {
        var grain = new GrainId("client", "ключ-é");

        var expected = RendezvousPlacement.Fnv1aOffset;
        foreach (var b in Encoding.UTF8.GetBytes("client/ключ-é"))
        {
            expected ^= b;
            expected *= 0x100000001b3UL;
        }

        Assert.Equal(expected, RendezvousPlacement.HashGrain(grain));
    }
}
