using Granary.Gateway.Cluster;
using Granary.Gateway.Diagnostics;
using Granary.Gateway.Fallback;
using Granary.Grains.Contracts;

namespace Granary.Gateway.Balancing;

/// <summary>
/// Sends this gateway's reports to backend grains and folds the answers into the
/// <see cref="DestinationEntry"/> cache. Request-path reports are fire-and-forget
/// <see cref="IBackendGrain.ReportBatchAsync"/> calls carrying the absolute local count and the
/// finished requests, at most one in flight per destination: in exact mode a change goes out at once
/// when none is in flight, else with the next report as soon as the answer comes (coalescing under
/// load, one round trip of staleness at most); in batched mode the flusher sends every interval. A
/// synchronously completed answer is applied at once, otherwise a continuation applies it; failures
/// are counted and swallowed, and while the <see cref="SiloCircuit"/> is open nothing is sent (the
/// absolute counts are re-sent by the lease renewal). Monitor calls
/// (configure, renew) are awaited and sent whatever the circuit says: they are the probe that closes it.
/// Nothing at all is sent while the cluster client is not connected (<see cref="SiloCircuit.IsConnected"/>).
/// </summary>
internal sealed class BackendReporter
{
    private readonly GrainReferences _grains;
    private readonly SiloCircuit _circuit;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<BackendReporter> _logger;

    public BackendReporter(GrainReferences grains, SiloCircuit circuit, GatewayMetrics metrics, TimeProvider time, GatewayIdentity identity,
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

    /// <summary>
    /// A request started: the new absolute local count goes out now (exact mode; or with the report
    /// after the one in flight), or with the next batch (<paramref name="batched"/>).
    /// </summary>
    public void ReportStarted(DestinationEntry entry, bool batched)
    {
        entry.MarkBatchDirty();
        if (!batched)
            Send(entry, immediate: true);
    }

    /// <summary>
    /// A request finished: its outcome and the new absolute local count go out as in
    /// <see cref="ReportStarted"/>; a batched destination sends at once when <see cref="OutcomeBatch.MaxOutcomes"/> samples wait.
    /// </summary>
    public void ReportFinished(DestinationEntry entry, double latencyMs, OutcomeKind outcome, bool batched)
    {
        var waiting = entry.AddOutcome(new OutcomeSample(outcome, latencyMs));
        if (!batched || waiting >= OutcomeBatch.MaxOutcomes)
            Send(entry, immediate: !batched);
    }

    /// <summary>Batched mode: sends what the entry collected since its last report, unless a report is still in flight (the next flush takes it).</summary>
    public void FlushBatch(DestinationEntry entry) => Send(entry, immediate: false);

    /// <summary>
    /// Sends one <see cref="IBackendGrain.ReportBatchAsync"/> with the absolute local count and the
    /// finished requests collected so far, if anything changed and no report to this destination is in
    /// flight (at most one is; the answer's status is applied when it comes). With
    /// <paramref name="immediate"/> (exact mode) the answer triggers the next report if more changed
    /// meanwhile, so under load changes are coalesced into one report per round trip and at low load
    /// every change is sent at once; without it (batched mode) the next flush does. While the circuit
    /// is open the collected changes are dropped: the lease renewal re-sends the count, and the samples
    /// only feed latency and passive health.
    /// </summary>
    private void Send(DestinationEntry entry, bool immediate)
    {
        while (entry.TryBeginSend())
        {
            if (!entry.TryTakeBatch(out var samples))
            {
                entry.EndSend();
                // A change that came in after the take but before the release would otherwise wait for the next event.
                if (immediate && entry.IsBatchDirty)
                    continue;
                return;
            }
            if (!_circuit.IsClosed)
            {
                entry.EndSend();
                return;
            }
            var sequence = entry.NextSequence();
            var local = entry.LocalInFlight;
            ValueTask<BackendStatus> call;
            try
            {
                call = GrainOf(entry).ReportBatchAsync(new OutcomeBatch(GatewayId, local, LeaseMs, samples));
            }
            catch (Exception ex)
            {
                entry.EndSend();
                OnFailure(entry, "report", ex);
                return;
            }
            if (!call.IsCompleted)
            {
                _ = ObserveReportAsync(call, entry, local, sequence, immediate);
                return;
            }
            var succeeded = Complete(call, entry, local, sequence);
            entry.EndSend();
            if (!succeeded || !immediate)
                return;
        }
    }

    private async Task ObserveReportAsync(ValueTask<BackendStatus> call, DestinationEntry entry, int reportedLocal, long sequence, bool immediate)
    {
        try
        {
            var status = await call.ConfigureAwait(false);
            Apply(entry, status, reportedLocal, sequence);
        }
        catch (Exception ex)
        {
            entry.EndSend();
            OnFailure(entry, "report", ex);
            return;
        }
        entry.EndSend();
        if (immediate && entry.IsBatchDirty)
            Send(entry, immediate: true);
    }

    private bool Complete(ValueTask<BackendStatus> call, DestinationEntry entry, int reportedLocal, long sequence)
    {
        try
        {
            Apply(entry, call.Result, reportedLocal, sequence);
            return true;
        }
        catch (Exception ex)
        {
            OnFailure(entry, "report", ex);
            return false;
        }
    }

    /// <summary>Lease renewal: the absolute local count; re-configures when the grain says it is not configured. Never throws; nothing is sent while the client is not connected.</summary>
    public async Task RenewAsync(BalancerSlot slot)
    {
        if (!_circuit.IsConnected)
            return;
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

    /// <summary>Sends the destination's <see cref="BackendConfig"/>, then renews. Never throws; on failure (or while the client is not connected) the entry stays <see cref="DestinationEntry.NeedsConfigure"/>.</summary>
    public async Task ConfigureAsync(BalancerSlot slot)
    {
        var entry = slot.Entry;
        entry.SetNeedsConfigure(true);
        if (!_circuit.IsConnected)
            return;
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
            grain = _grains.Backend(entry.GrainKey);
            entry.Grain = grain;
        }
        return grain;
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
        if (GrainFailures.IsFallbackError(ex, _circuit.IsConnected))
        {
            _circuit.OnFailure(ex);
            Log.BackendCallFailed(_logger, entry.GrainKey, operation, ex.Message);
        }
        else if (GrainFailures.IsBadRequest(ex))
        {
            Log.BackendGrainRejectedCall(_logger, entry.GrainKey, operation, ex.Message);
        }
        else
        {
            Log.BackendCallFailedUnexpectedly(_logger, ex, entry.GrainKey, operation);
        }
    }
}
