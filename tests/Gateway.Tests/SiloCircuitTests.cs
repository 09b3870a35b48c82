using Granary.Gateway.Cluster;
using Granary.Gateway.Fallback;
using Granary.Gateway.Tests.Fakes;
using Granary.Tests.Common;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Tests;

public sealed class SiloCircuitTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly ListLogger<SiloCircuit> _logger = new();
    private readonly ClusterConnectionState _connection = TestConnection.Connected();
    private readonly SiloCircuit _circuit;

    public SiloCircuitTests() => _circuit = new SiloCircuit(_time, TestOptions.Gateway(probeMs: 1000), _connection, _logger);

    [Fact]
    public void TryEnter_AfterFailure_FalseUntilProbeWindowThenExactlyOneProbe()
    {
        Assert.True(_circuit.TryEnter());
        _circuit.OnFailure(new TimeoutException("deadline"));

        Assert.False(_circuit.TryEnter());
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(_circuit.TryEnter());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(_circuit.TryEnter());
        Assert.False(_circuit.TryEnter()); // the others keep deciding locally while the probe runs

        _circuit.OnSuccess();
        Assert.True(_circuit.TryEnter());
        Assert.True(_circuit.IsClosed);
    }

    [Fact]
    public void OnFailureThenOnSuccess_OneWarningAndOneInfoWithStableIds()
    {
        _circuit.OnFailure(new TimeoutException("deadline"));
        _circuit.OnFailure(new TimeoutException("deadline"));
        _circuit.OnSuccess();
        _circuit.OnSuccess();

        Assert.Equal([(1, LogLevel.Warning), (2, LogLevel.Information)], _logger.Entries.Select(e => (e.EventId, e.Level)));
        Assert.Contains("deadline", _logger.Entries[0].Message);
    }

    [Fact]
    public void OnFailure_FlappingWithin10s_SuppressedThenLoggedAgainLater()
    {
        _circuit.OnFailure(new TimeoutException("a"));
        _circuit.OnSuccess();
        _time.Advance(TimeSpan.FromSeconds(2));
        _circuit.OnFailure(new TimeoutException("b"));
        _circuit.OnSuccess();
        Assert.Equal(2, _logger.Entries.Count);
        Assert.Equal(1, _circuit.SuppressedEpisodes);

        _time.Advance(TimeSpan.FromSeconds(10));
        _circuit.OnFailure(new TimeoutException("c"));
        Assert.Equal(3, _logger.Entries.Count);
        Assert.True(_circuit.InFallback);
    }
}
