using System.Collections.Concurrent;
using Granary.Grains.Contracts;

namespace Granary.Gateway.Tests.Fakes;

/// <summary>Records every call and answers with <see cref="Status"/> (TotalInFlight = the last reported count + <see cref="OthersInFlight"/>).</summary>
internal sealed class FakeBackendGrain : IBackendGrain
{
    public ConcurrentQueue<InFlightReport> InFlightReports { get; } = new();

    public ConcurrentQueue<RequestOutcome> Outcomes { get; } = new();

    public ConcurrentQueue<BackendConfig> Configs { get; } = new();

    public bool Healthy { get; set; } = true;

    public bool Configured { get; set; } = true;

    public long OthersInFlight { get; set; }

    public Exception? Failure { get; set; }

    private BackendStatus Status(int local) => new(Configured, Healthy, Healthy, false, local + OthersInFlight, 5, 1, 0, 0);

    public ValueTask<BackendStatus> ConfigureAsync(BackendConfig config)
    {
        if (Failure is { } f)
            return ValueTask.FromException<BackendStatus>(f);
        Configs.Enqueue(config);
        Configured = true;
        return ValueTask.FromResult(Status(0));
    }

    public ValueTask<BackendStatus> ReportInFlightAsync(InFlightReport report)
    {
        if (Failure is { } f)
            return ValueTask.FromException<BackendStatus>(f);
        InFlightReports.Enqueue(report);
        return ValueTask.FromResult(Status(report.InFlight));
    }

    public ValueTask<BackendStatus> ReportOutcomeAsync(RequestOutcome outcome)
    {
        if (Failure is { } f)
            return ValueTask.FromException<BackendStatus>(f);
        Outcomes.Enqueue(outcome);
        return ValueTask.FromResult(Status(outcome.InFlight));
    }

    public ConcurrentQueue<OutcomeBatch> Batches { get; } = new();

    /// <summary>Every batch's outcomes in order, each with its batch's gateway, in-flight count and lease.</summary>
    public List<RequestOutcome> BatchedOutcomes =>
        [.. Batches.SelectMany(b => b.Outcomes.Select(o => new RequestOutcome(b.GatewayId, b.InFlight, b.LeaseMs, o.LatencyMs, o.Outcome)))];

    /// <summary>When set, batch answers wait for it (the call stays in flight).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public ValueTask<BackendStatus> ReportBatchAsync(OutcomeBatch batch)
    {
        if (Failure is { } f)
            return ValueTask.FromException<BackendStatus>(f);
        Batches.Enqueue(batch);
        if (Hold is { } hold)
            return Held(hold.Task, Status(batch.InFlight));
        return ValueTask.FromResult(Status(batch.InFlight));

        static async ValueTask<BackendStatus> Held(Task hold, BackendStatus status)
        {
            await hold;
            return status;
        }
    }

    public ValueTask<BackendStatus> GetStatusAsync() => ValueTask.FromResult(Status(0));

    public ValueTask<BackendDetails> GetDetailsAsync() => throw new NotSupportedException();
}
