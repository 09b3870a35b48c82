using Granary.Gateway.Diagnostics;
using Granary.Gateway.Fallback;
using Granary.Grains.Contracts;
using Granary.Runtime;

namespace Granary.Gateway.Balancing;

/// <summary>
/// Sends this gateway's reports to backend grains and folds the answers into the
/// <see cref="DestinationEntry"/> cache. Request-path reports are fire-and-forget: the call is
/// started, a synchronously completed answer is applied at once, otherwise a continuation applies
/// it; failures are counted and swallowed, and while the <see cref="SiloCircuit"/> is open they are
/// not sent at all (the absolute counts are re-sent by the lease renewal). Monitor calls
/// (configure, renew) are awaited and always sent: they are the probe that closes the circuit.
/// </summary>
internal sealed class BackendReporter
{
    private readonly IGrainFactory _grains;
    private readonly SiloCircuit _circuit;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<BackendReporter> _logger;

    public BackendReporter(IGrainFactory grains, SiloCircuit circuit, GatewayMetrics metrics, TimeProvider time, GatewayIdentity identity,
        ILogger<BackendReporter> logger)
    {
        _grains = grains;
        _circuit = circuit;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        GatewayId = identity.Id;
        LeaseMs = identity.LeaseMs;
    }

    public string GatewayId { get; }

    public int LeaseMs { get; }

    /// <summary>Request start: reports the new absolute local count, without waiting.</summary>
    public void ReportStarted(DestinationEntry entry, int localInFlight)
    {
        if (!_circuit.IsClosed)
            return;
        var sequence = entry.NextSequence();
        ValueTask<BackendStatus> call;
        try
        {
            call = GrainOf(entry).ReportInFlightAsync(new InFlightReport(GatewayId, localInFlight, LeaseMs));
        }
        catch (Exception ex)
        {
            OnFailure(entry, "report_in_flight", ex);
            return;
        }
        Observe(call, entry, localInFlight, sequence, "report_in_flight");
    }

    /// <summary>Request end: reports the outcome and the new absolute local count, without waiting.</summary>
    public void ReportFinished(DestinationEntry entry, int localInFlight, double latencyMs, OutcomeKind outcome)
    {
        if (!_circuit.IsClosed)
            return;
        var sequence = entry.NextSequence();
        ValueTask<BackendStatus> call;
        try
        {
            call = GrainOf(entry).ReportOutcomeAsync(new RequestOutcome(GatewayId, localInFlight, LeaseMs, latencyMs, outcome));
        }
        catch (Exception ex)
        {
            OnFailure(entry, "report_outcome", ex);
            return;
        }
        Observe(call, entry, localInFlight, sequence, "report_outcome");
    }

    /// <summary>
    /// Batched mode: sends what the entry collected since its last batch (the absolute local count
    /// and the finished requests), without waiting; nothing when nothing changed. While the circuit is
    /// open the batch is dropped: the lease renewal re-sends the count, and the samples only feed
    /// latency and passive health.
    /// </summary>
    public void FlushBatch(DestinationEntry entry)
    {
        if (!entry.TryTakeBatch(out var samples) || !_circuit.IsClosed)
            return;
        var sequence = entry.NextSequence();
        var local = entry.LocalInFlight;
        ValueTask<BackendStatus> call;
        try
        {
            call = GrainOf(entry).ReportBatchAsync(new OutcomeBatch(GatewayId, local, LeaseMs, samples));
        }
        catch (Exception ex)
        {
            OnFailure(entry, "report_batch", ex);
            return;
        }
        Observe(call, entry, local, sequence, "report_batch");
    }

    /// <summary>Batched mode: a request finished; flushes at once when <see cref="OutcomeBatch.MaxOutcomes"/> samples wait.</summary>
    public void RecordBatched(DestinationEntry entry, double latencyMs, OutcomeKind outcome)
    {
        if (entry.AddOutcome(new OutcomeSample(outcome, latencyMs)) >= OutcomeBatch.MaxOutcomes)
            FlushBatch(entry);
    }

    /// <summary>Lease renewal: the absolute local count; re-configures when the grain says it is not configured. Never throws.</summary>
    public async Task RenewAsync(BalancerSlot slot)
    {
        var entry = slot.Entry;
        var local = entry.LocalInFlight;
        var sequence = entry.NextSequence();
        try
        {
            var status = await GrainOf(entry).ReportInFlightAsync(new InFlightReport(GatewayId, local, LeaseMs)).ConfigureAwait(false);
            entry.ApplyStatus(status, local, sequence, _time.GetTimestamp());
            _circuit.OnSuccess();
            if (!status.Configured)
                await ConfigureAsync(slot).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            OnFailure(entry, "renew", ex);
        }
    }

    /// <summary>Sends the destination's <see cref="BackendConfig"/>, then renews. Never throws; on failure the entry stays <see cref="DestinationEntry.NeedsConfigure"/>.</summary>
    public async Task ConfigureAsync(BalancerSlot slot)
    {
        var entry = slot.Entry;
        entry.SetNeedsConfigure(true);
        var sequence = entry.NextSequence();
        try
        {
            var status = await GrainOf(entry).ConfigureAsync(slot.Config).ConfigureAwait(false);
            entry.ApplyStatus(status, null, sequence, _time.GetTimestamp());
            entry.SetNeedsConfigure(false);
            _circuit.OnSuccess();
        }
        catch (Exception ex)
        {
            OnFailure(entry, "configure", ex);
            return;
        }
        var local = entry.LocalInFlight;
        sequence = entry.NextSequence();
        try
        {
            var status = await GrainOf(entry).ReportInFlightAsync(new InFlightReport(GatewayId, local, LeaseMs)).ConfigureAwait(false);
            entry.ApplyStatus(status, local, sequence, _time.GetTimestamp());
        }
        catch (Exception ex)
        {
            OnFailure(entry, "renew", ex);
        }
    }

    private IBackendGrain GrainOf(DestinationEntry entry)
    {
        var grain = entry.Grain;
        if (grain is null)
        {
            grain = _grains.GetGrain<IBackendGrain>(entry.GrainKey);
            entry.Grain = grain;
        }
        return grain;
    }

    private void Observe(ValueTask<BackendStatus> call, DestinationEntry entry, int reportedLocal, long sequence, string operation)
    {
        if (call.IsCompletedSuccessfully)
        {
            Apply(entry, call.Result, reportedLocal, sequence);
            return;
        }
        _ = ObserveAsync(call, entry, reportedLocal, sequence, operation);
    }

    private async Task ObserveAsync(ValueTask<BackendStatus> call, DestinationEntry entry, int reportedLocal, long sequence, string operation)
    {
        try
        {
            var status = await call.ConfigureAwait(false);
            Apply(entry, status, reportedLocal, sequence);
        }
        catch (Exception ex)
        {
            OnFailure(entry, operation, ex);
        }
    }

    private void Apply(DestinationEntry entry, in BackendStatus status, int reportedLocal, long sequence)
    {
        entry.ApplyStatus(status, reportedLocal, sequence, _time.GetTimestamp());
        if (!status.Configured)
            entry.SetNeedsConfigure(true);
        _circuit.OnSuccess();
    }

    private void OnFailure(DestinationEntry entry, string operation, Exception ex)
    {
        _metrics.GrainCallFailed("backend." + operation);
        if (GrainFailures.IsFallbackError(ex))
        {
            _circuit.OnFailure(ex);
            Log.BackendCallFailed(_logger, entry.GrainKey, operation, ex.Message);
        }
        else
        {
            Log.BackendCallFailedUnexpectedly(_logger, ex, entry.GrainKey, operation);
        }
    }
}
