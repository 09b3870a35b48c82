using Granary.Grains.LoadBalancing;

namespace Granary.Grains.Tests.LoadBalancing;

public sealed class BalancingPolicyTests
{
    private static IBalancingPolicy Create(string name, int seed = 42) => BalancingPolicyFactory.Create(name, new Random(seed));

    private static DestinationLoad D(string id, int weight = 1, long inFlight = 0, double ewmaMs = 0) => new(id, weight, inFlight, ewmaMs);

    private static Dictionary<string, int> Count(IBalancingPolicy policy, DestinationLoad[] candidates, int picks, Func<int, string?>? key = null)
    {
        var counts = candidates.ToDictionary(c => c.DestinationId, _ => 0);
        for (var i = 0; i < picks; i++)
            counts[candidates[policy.Pick(candidates, key?.Invoke(i))].DestinationId]++;
        return counts;
    }

    [Fact]
    public void Create_EveryBuiltInName_ReturnsPolicyWithThatName()
    {
        foreach (var name in BalancingPolicyNames.All)
            Assert.Equal(name, Create(name).Name);
    }

    [Theory]
    [InlineData("Fastest")]
    [InlineData("roundrobin")]
    [InlineData("")]
    public void Create_UnknownName_ThrowsListingValidNames(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => Create(name));
        Assert.Contains($"'{name}'", e.Message);
        foreach (var valid in BalancingPolicyNames.All)
            Assert.Contains(valid, e.Message);
    }

    [Fact]
    public void Pick_SingleCandidate_EveryPolicyReturnsZero()
    {
        foreach (var name in BalancingPolicyNames.All)
            Assert.Equal(0, Create(name).Pick([D("only", inFlight: 100)], "k"));
    }

    [Fact]
    public void RoundRobin_Weights511_FollowsNginxSmoothSequence()
    {
        var policy = Create(BalancingPolicyNames.RoundRobin);
        DestinationLoad[] candidates = [D("a", 5), D("b", 1), D("c", 1)];
        var sequence = string.Concat(Enumerable.Range(0, 14).Select(_ => candidates[policy.Pick(candidates, null)].DestinationId));
        Assert.Equal("aabacaa" + "aabacaa", sequence);
    }

    [Fact]
    public void RoundRobin_EqualWeights_CyclesEvenly()
    {
        var policy = Create(BalancingPolicyNames.RoundRobin);
        DestinationLoad[] candidates = [D("a"), D("b"), D("c")];
        var sequence = string.Concat(Enumerable.Range(0, 6).Select(_ => candidates[policy.Pick(candidates, null)].DestinationId));
        Assert.Equal("abcabc", sequence);
        var counts = Count(policy, candidates, 300);
        Assert.All(counts.Values, c => Assert.Equal(100, c));
    }

    [Fact]
    public void RoundRobin_IgnoresLoad()
    {
        var policy = Create(BalancingPolicyNames.RoundRobin);
        var counts = Count(policy, [D("a", inFlight: 1000), D("b")], 10);
        Assert.Equal(5, counts["a"]);
    }

    [Fact]
    public void RoundRobin_CandidateOrderChanges_StateFollowsDestinationIds()
    {
        var policy = Create(BalancingPolicyNames.RoundRobin);
        DestinationLoad[] forward = [D("a", 5), D("b", 1), D("c", 1)];
        DestinationLoad[] backward = [D("c", 1), D("b", 1), D("a", 5)];
        var picks = new List<string>();
        for (var i = 0; i < 70; i++)
        {
            var candidates = i % 2 == 0 ? forward : backward;
            picks.Add(candidates[policy.Pick(candidates, null)].DestinationId);
        }
        Assert.Equal(50, picks.Count(p => p == "a"));
        Assert.Equal(10, picks.Count(p => p == "b"));
        Assert.Equal(10, picks.Count(p => p == "c"));
    }

    [Fact]
    public void RoundRobin_DestinationLeavesAndReturns_KeepsProportions()
    {
        var policy = Create(BalancingPolicyNames.RoundRobin);
        DestinationLoad[] all = [D("a", 2), D("b", 1), D("c", 1)];
        DestinationLoad[] withoutC = [D("a", 2), D("b", 1)];
        Count(policy, all, 5);
        Count(policy, withoutC, 7);
        var counts = Count(policy, all, 400);
        Assert.InRange(counts["a"], 197, 203);
        Assert.InRange(counts["b"], 97, 103);
        Assert.InRange(counts["c"], 97, 103);
    }

    [Fact]
    public void RoundRobin_ConcurrentPicks_ExactProportions()
    {
        var policy = Create(BalancingPolicyNames.RoundRobin);
        DestinationLoad[] candidates = [D("a", 5), D("b", 1), D("c", 1)];
        var counts = new int[3];
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 10_500; i++)
                Interlocked.Increment(ref counts[policy.Pick(candidates, null)]);
        });
        Assert.Equal([30_000, 6_000, 6_000], counts);
    }

    [Fact]
    public void LeastConnections_PicksFewestInFlight()
    {
        var policy = Create(BalancingPolicyNames.LeastConnections);
        Assert.Equal(1, policy.Pick([D("a", inFlight: 5), D("b", inFlight: 2), D("c", inFlight: 3)], null));
    }

    [Fact]
    public void LeastConnections_RespectsWeight()
    {
        var policy = Create(BalancingPolicyNames.LeastConnections);
        // a: 4 / 4 = 1 per unit of weight; b: 2 / 1 = 2.
        Assert.Equal(0, policy.Pick([D("a", weight: 4, inFlight: 4), D("b", weight: 1, inFlight: 2)], null));
    }

    [Fact]
    public void LeastConnections_Ties_BrokenAtRandomAmongTheLeast()
    {
        var policy = Create(BalancingPolicyNames.LeastConnections);
        var counts = Count(policy, [D("a", inFlight: 1), D("b", inFlight: 1), D("c", inFlight: 5), D("d", inFlight: 1)], 3000);
        Assert.Equal(0, counts["c"]);
        Assert.All(new[] { "a", "b", "d" }, id => Assert.InRange(counts[id], 850, 1150));
    }

    [Fact]
    public void PowerOfTwoChoices_TwoCandidates_NeverPicksTheMoreLoaded()
    {
        var policy = Create(BalancingPolicyNames.PowerOfTwoChoices);
        var counts = Count(policy, [D("a", inFlight: 10), D("b", inFlight: 1)], 1000);
        Assert.Equal(0, counts["a"]);
    }

    [Fact]
    public void PowerOfTwoChoices_MaxLoaded_NeverChosenAndOthersShare()
    {
        var policy = Create(BalancingPolicyNames.PowerOfTwoChoices);
        var counts = Count(policy, [D("a", inFlight: 0), D("b", inFlight: 5), D("c", inFlight: 10)], 3000);
        Assert.Equal(0, counts["c"]);
        // a wins whenever drawn (2 of 3 pairs), b only against c (1 of 3).
        Assert.InRange(counts["a"], 1850, 2150);
        Assert.InRange(counts["b"], 850, 1150);
    }

    [Fact]
    public void PowerOfTwoChoices_EqualLoads_Spreads()
    {
        var policy = Create(BalancingPolicyNames.PowerOfTwoChoices);
        var counts = Count(policy, [D("a"), D("b"), D("c")], 3000);
        Assert.All(counts.Values, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void PowerOfTwoChoices_RespectsWeight()
    {
        var policy = Create(BalancingPolicyNames.PowerOfTwoChoices);
        var counts = Count(policy, [D("a", weight: 10, inFlight: 5), D("b", weight: 1, inFlight: 1)], 200);
        Assert.Equal(200, counts["a"]);
    }

    [Fact]
    public void Random_Spreads_Uniformly()
    {
        var policy = Create(BalancingPolicyNames.Random);
        var counts = Count(policy, [D("a", inFlight: 100), D("b"), D("c")], 3000);
        Assert.All(counts.Values, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void LeastTime_PrefersLowLatencyTimesLoad()
    {
        var policy = Create(BalancingPolicyNames.LeastTime);
        // a: 100 × 1 = 100; b: 10 × 6 = 60.
        Assert.Equal(1, policy.Pick([D("a", inFlight: 0, ewmaMs: 100), D("b", inFlight: 5, ewmaMs: 10)], null));
        // a: 100 × 1 = 100; b: 10 × 21 = 210.
        Assert.Equal(0, policy.Pick([D("a", inFlight: 0, ewmaMs: 100), D("b", inFlight: 20, ewmaMs: 10)], null));
    }

    [Fact]
    public void LeastTime_DividesByWeight()
    {
        var policy = Create(BalancingPolicyNames.LeastTime);
        // a: 50 × 3 / 1 = 150; b: 50 × 5 / 4 = 62.5.
        Assert.Equal(1, policy.Pick([D("a", weight: 1, inFlight: 2, ewmaMs: 50), D("b", weight: 4, inFlight: 4, ewmaMs: 50)], null));
    }

    [Fact]
    public void LeastTime_UnknownLatency_FlooredSoLoadStillCounts()
    {
        var policy = Create(BalancingPolicyNames.LeastTime);
        // a has no samples (0 ms → floor 1 ms) but 50 in flight: 51; b: 2 ms × 1 = 2.
        Assert.Equal(1, policy.Pick([D("a", inFlight: 50, ewmaMs: 0), D("b", inFlight: 0, ewmaMs: 2)], null));
        // An idle destination with no samples yet is the one to try.
        Assert.Equal(0, policy.Pick([D("a", inFlight: 0, ewmaMs: 0), D("b", inFlight: 0, ewmaMs: 2)], null));
    }

    [Fact]
    public void ConsistentHash_SameKey_SameDestinationWhateverTheOrder()
    {
        var policy = Create(BalancingPolicyNames.ConsistentHash);
        DestinationLoad[] candidates = [D("a"), D("b"), D("c"), D("d")];
        var random = new Random(7);
        for (var k = 0; k < 200; k++)
        {
            var key = $"client-{k}";
            var expected = candidates[policy.Pick(candidates, key)].DestinationId;
            var shuffled = candidates.ToArray();
            random.Shuffle(shuffled);
            Assert.Equal(expected, shuffled[policy.Pick(shuffled, key)].DestinationId);
            Assert.Equal(expected, candidates[Create(BalancingPolicyNames.ConsistentHash, seed: k).Pick(candidates, key)].DestinationId);
        }
    }

    [Fact]
    public void ConsistentHash_RemovingDestination_MovesOnlyItsKeys()
    {
        var policy = Create(BalancingPolicyNames.ConsistentHash);
        DestinationLoad[] all = [D("a"), D("b"), D("c"), D("d"), D("e")];
        DestinationLoad[] withoutC = [D("a"), D("b"), D("d"), D("e")];
        var moved = 0;
        for (var k = 0; k < 10_000; k++)
        {
            var key = $"user{k}";
            var before = all[policy.Pick(all, key)].DestinationId;
            var after = withoutC[policy.Pick(withoutC, key)].DestinationId;
            if (before != "c")
                Assert.Equal(before, after);
            else
                moved++;
        }
        Assert.InRange(moved, 1800, 2200); // c held about a fifth
    }

    [Fact]
    public void ConsistentHash_Weights_ShiftShareProportionally()
    {
        var policy = Create(BalancingPolicyNames.ConsistentHash);
        var counts = Count(policy, [D("a", weight: 1), D("b", weight: 3), D("c", weight: 6)], 10_000, k => $"key-{k}");
        Assert.InRange(counts["a"], 850, 1150);
        Assert.InRange(counts["b"], 2750, 3250);
        Assert.InRange(counts["c"], 5700, 6300);
    }

    [Fact]
    public void ConsistentHash_EqualWeights_EvenShare()
    {
        var policy = Create(BalancingPolicyNames.ConsistentHash);
        var counts = Count(policy, [D("a"), D("b"), D("c")], 9_000, k => $"k{k}");
        Assert.All(counts.Values, c => Assert.InRange(c, 2700, 3300));
    }

    [Fact]
    public void ConsistentHash_NullKey_Random()
    {
        var policy = Create(BalancingPolicyNames.ConsistentHash);
        var counts = Count(policy, [D("a"), D("b"), D("c")], 3000);
        Assert.All(counts.Values, c => Assert.InRange(c, 850, 1150));
    }
}
