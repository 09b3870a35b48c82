using System.Buffers;
using Granary.Grains.Contracts;
using Granary.Runtime.Serialization;

namespace Granary.Grains.Tests.Contracts;

/// <summary>The issue-4 encodings: <see cref="GatewayStats"/>, the fields appended to <see cref="BackendDetails"/> and <see cref="BackendConfig"/>.</summary>
public sealed class DashboardCodecTests
{
    private static byte[] Encode<T>(T value) where T : IGrainCodec<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        T.Write(new GrainWriter(buffer), value);
        return buffer.WrittenSpan.ToArray();
    }

    private static T Decode<T>(byte[] bytes) where T : IGrainCodec<T>
    {
        var reader = new GrainReader(bytes);
        var value = T.Read(ref reader);
        Assert.Equal(0, reader.Remaining);
        return value;
    }

    private static BackendDetails Details(IReadOnlyList<BackendSample> history, string? policy = "LeastConnections") =>
        new("web", "d1", "http://127.0.0.1:5001/", new BackendStatus(true, true, true, false, 7, 12.5, 3, 100, 2),
            [new InFlightContribution("gw1", 4, 9000), new InFlightContribution("gw2", 3, 8000)],
            "2 consecutive probe successes", 1_763_700_000_000, 1, policy, 123.4, 45.6, history);

    [Fact]
    public void BackendDetails_WithHistory_RoundTrips()
    {
        var history = Enumerable.Range(0, BackendDetails.MaxHistory)
            .Select(i => new BackendSample(1_763_700_000_000 + (i * 1000L), i * 1.5, i / 3.0)).ToArray();
        var original = Details(history);

        var copy = Decode<BackendDetails>(Encode(original));

        Assert.Equal(original.Contributions, copy.Contributions);
        Assert.Equal(original.History, copy.History);
        Assert.Equal(original with { Contributions = copy.Contributions, History = copy.History }, copy);
        Assert.Equal(("LeastConnections", 123.4, 45.6), (copy.Policy, copy.RequestsPerSec, copy.P99LatencyMs));
    }

    [Fact]
    public void BackendDetails_NullPolicyEmptyHistory_RoundTrips()
    {
        var copy = Decode<BackendDetails>(Encode(Details([], policy: null)));

        Assert.Null(copy.Policy);
        Assert.Empty(copy.History);
    }

    [Fact]
    public void BackendDetails_EncodingWithoutAppendedFields_ReadsDefaults()
    {
        var full = Encode(Details([new BackendSample(1000, 1, 1)]));
        // Pre-issue-4 encoding = everything up to the ejection count: drop policy (1 + 16 bytes), rps, p99, count (1) and one sample (24).
        var old = full[..^(17 + 8 + 8 + 1 + 24)];

        var copy = Decode<BackendDetails>(old);

        Assert.Equal((1, (string?)null, 0.0, 0.0), (copy.Ejections, copy.Policy, copy.RequestsPerSec, copy.P99LatencyMs));
        Assert.Empty(copy.History);
    }

    [Fact]
    public void BackendDetails_HistoryCountBeyondPayload_Throws()
    {
        var bytes = Encode(Details([new BackendSample(1000, 1, 1)]));
        bytes[^25] = 100; // the count's varint: claims 100 samples with 24 bytes left

        Assert.Throws<GrainSerializationException>(() => Decode<BackendDetails>(bytes));
    }

    [Fact]
    public void GatewayStats_RoundTripsEveryFlagCombination()
    {
        foreach (var (fallback, connected) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            var original = new GatewayStats("gw-ä", 456.7, fallback, connected, 3, 1_763_700_000_123);
            var bytes = Encode(original);
            Assert.Equal(Decode<GatewayStats>(bytes), original);
        }
        Assert.Equal(1 + 5 + 8 + 1 + 8 + 8, Encode(new GatewayStats("gw-ä", 1, true, true, 1, 1)).Length); // "gw-ä" is 5 UTF-8 bytes after its length
    }

    [Fact]
    public void GatewayStats_UnknownFlags_Throws()
    {
        var bytes = Encode(new GatewayStats("gw", 1, false, false, 0, 0));
        bytes[1 + 2 + 8] = 4;

        Assert.Throws<GrainSerializationException>(() => Decode<GatewayStats>(bytes));
    }

    [Fact]
    public void BackendConfig_WithPolicy_RoundTrips()
    {
        var original = new BackendConfig("web", "d1", "http://127.0.0.1:5001/", 3, "/healthz", 500, 200, 1, 2, 3, 4000, "PowerOfTwoChoices");

        Assert.Equal(original, Decode<BackendConfig>(Encode(original)));
        Assert.Null(Decode<BackendConfig>(Encode(original with { Policy = null })).Policy);
    }

    [Fact]
    public void BackendConfig_EncodingWithoutPolicy_ReadsNullPolicy()
    {
        var original = new BackendConfig("web", "d1", "http://127.0.0.1:5001/", Policy: "RoundRobin");
        var bytes = Encode(original);
        var old = bytes[..^(1 + "RoundRobin".Length)]; // drop the nullable string: length + 1, then the bytes

        Assert.Equal(original with { Policy = null }, Decode<BackendConfig>(old));
    }
}
