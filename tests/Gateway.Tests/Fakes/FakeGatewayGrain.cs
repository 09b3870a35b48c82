using System.Collections.Concurrent;
using Granary.Grains.Contracts;

namespace Granary.Gateway.Tests.Fakes;

/// <summary>Records every heartbeat; fails with <see cref="Failure"/> when set.</summary>
internal sealed class FakeGatewayGrain : IGatewayGrain
{
    public ConcurrentQueue<GatewayStats> Reports { get; } = new();

    public Exception? Failure { get; set; }

    public ValueTask ReportAsync(GatewayStats stats)
    {
        if (Failure is { } f)
            return ValueTask.FromException(f);
        Reports.Enqueue(stats);
        return ValueTask.CompletedTask;
    }

    public ValueTask<GatewayStats> GetStatsAsync() =>
        ValueTask.FromResult(Reports.LastOrDefault() ?? new GatewayStats("", 0, false, false, 0, 0));
}
