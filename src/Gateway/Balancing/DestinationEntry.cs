using System.Diagnostics;
using System.Runtime.InteropServices;
using Granary.Grains.Contracts;
using Yarp.ReverseProxy.Model;

namespace Granary.Gateway.Balancing;

/// <summary>
/// This gateway's view of one destination (key <c>{clusterId}/{destinationId}</c>), kept across
/// config reloads: the exact local in-flight count (<see cref="Interlocked"/>), and the last
/// <see cref="BackendStatus"/> from the backend grain together with the local count this gateway
/// had reported in the call that produced it, so that the other gateways' in-flight is
/// <c>status.TotalInFlight − reportedLocal</c>. Statuses are applied in the order their calls were
/// sent (a sequence number), so a late answer never overwrites a newer one.
/// </summary>
internal sealed class DestinationEntry
{
    private readonly Lock _gate = new();
    private int _local;
    private long _sendSequence;

    // Guarded by _gate.
    private bool _hasStatus;
    private BackendStatus _status;
    private int _statusReportedLocal;
    private long _statusSequence;
    private long _statusTimestamp;
    private long _markSequence;
    private long _markTimestamp;

    // Batched mode (guarded by _batchGate): finished requests since the last batch, and whether the count changed.
    private readonly Lock _batchGate = new();
    private List<OutcomeSample> _outcomes = [];
    private bool _batchDirty;
    private int _sending;

    private IBackendGrain? _grain;
    private DestinationState[]? _single;
    private int _needsConfigure = 1;

    public DestinationEntry(string clusterId, string destinationId)
    {
        ClusterId = clusterId;
        DestinationId = destinationId;
        GrainKey = BackendKey.For(clusterId, destinationId);
    }

    public string ClusterId { get; }

    public string DestinationId { get; }

    /// <summary>The backend grain key, <c>{clusterId}/{destinationId}</c>.</summary>
    public string GrainKey { get; }

    /// <summary>This gateway's requests in flight to the destination now.</summary>
    public int LocalInFlight => Volatile.Read(ref _local);

    /// <summary>The cached grain reference (set on first use).</summary>
    public IBackendGrain? Grain
    {
        get => Volatile.Read(ref _grain);
        set => Volatile.Write(ref _grain, value);
    }

    /// <summary>True until a <c>ConfigureAsync</c> succeeded since the entry was made or a status said <c>Configured = false</c>.</summary>
    public bool NeedsConfigure => Volatile.Read(ref _needsConfigure) != 0;

    public void SetNeedsConfigure(bool value) => Volatile.Write(ref _needsConfigure, value ? 1 : 0);

    public int IncrementLocal() => Interlocked.Increment(ref _local);

    public int DecrementLocal()
    {
        var value = Interlocked.Decrement(ref _local);
        Debug.Assert(value >= 0, $"Local in-flight of {GrainKey} went negative.");
        return value;
    }

    /// <summary>True when a change waits for the next report.</summary>
    public bool IsBatchDirty
    {
        get { lock (_batchGate) return _batchDirty; }
    }

    /// <summary>Claims the right to send the next report (at most one is in flight per destination); false when one is.</summary>
    public bool TryBeginSend() => Interlocked.CompareExchange(ref _sending, 1, 0) == 0;

    /// <summary>Ends <see cref="TryBeginSend"/>'s claim.</summary>
    public void EndSend() => Volatile.Write(ref _sending, 0);

    /// <summary>The local count changed (a request started); the next report carries it.</summary>
    public void MarkBatchDirty()
    {
        lock (_batchGate)
            _batchDirty = true;
    }

    /// <summary>A request finished; returns the samples now waiting (the caller flushes early at <see cref="OutcomeBatch.MaxOutcomes"/>).</summary>
    public int AddOutcome(OutcomeSample sample)
    {
        lock (_batchGate)
        {
            _batchDirty = true;
            _outcomes.Add(sample);
            return _outcomes.Count;
        }
    }

    /// <summary>
    /// Takes what waits since the last report (at most <see cref="OutcomeBatch.MaxOutcomes"/>
    /// samples; more stay for the next); false when nothing changed.
    /// </summary>
    public bool TryTakeBatch(out OutcomeSample[] samples)
    {
        lock (_batchGate)
        {
            if (!_batchDirty)
            {
                samples = [];
                return false;
            }
            var count = Math.Min(_outcomes.Count, OutcomeBatch.MaxOutcomes);
            samples = count == 0 ? [] : CollectionsMarshal.AsSpan(_outcomes)[..count].ToArray();
            if (count == _outcomes.Count)
            {
                _outcomes.Clear();
                _batchDirty = false;
            }
            else
            {
                _outcomes.RemoveRange(0, count);
            }
            if (_outcomes.Capacity > 4 * OutcomeBatch.MaxOutcomes && _outcomes.Count == 0)
                _outcomes = [];
            return true;
        }
    }

    /// <summary>The sequence number of a call about to be sent.</summary>
    public long NextSequence() => Interlocked.Increment(ref _sendSequence);

    /// <summary>A cached one-element list holding <paramref name="state"/>, for <c>IReverseProxyFeature.AvailableDestinations</c>.</summary>
    public IReadOnlyList<DestinationState> SingleList(DestinationState state)
    {
        var single = Volatile.Read(ref _single);
        if (single is null || !ReferenceEquals(single[0], state))
        {
            single = [state];
            Volatile.Write(ref _single, single);
        }
        return single;
    }

    /// <summary>
    /// Applies a status from a call sent with sequence <paramref name="sequence"/>. With
    /// <paramref name="reportedLocal"/> null (a <c>ConfigureAsync</c> answer) only health and latency are taken.
    /// </summary>
    public void ApplyStatus(in BackendStatus status, int? reportedLocal, long sequence, long timestamp)
    {
        lock (_gate)
        {
            if (sequence < _statusSequence)
                return;
            if (reportedLocal is { } local)
            {
                _statusReportedLocal = local;
            }
            else if (_hasStatus)
            {
                // Keep the in-flight figure of the last report: a configure answer says nothing about our share.
                _status = status with { TotalInFlight = _status.TotalInFlight };
                _statusSequence = sequence;
                _statusTimestamp = timestamp;
                ClearMarkIfNewer(sequence);
                return;
            }
            else
            {
                _statusReportedLocal = 0;
            }
            _status = status;
            _hasStatus = true;
            _statusSequence = sequence;
            _statusTimestamp = timestamp;
            ClearMarkIfNewer(sequence);
        }
    }

    /// <summary>
    /// Marks the destination unhealthy on this gateway (a connect-time failure) until a status from a
    /// call sent after now arrives, or <paramref name="timestamp"/> + the mark's lifetime passes.
    /// </summary>
    public void MarkUnhealthy(long timestamp)
    {
        var sequence = NextSequence();
        lock (_gate)
        {
            _markSequence = sequence;
            _markTimestamp = timestamp;
        }
    }

    /// <summary>
    /// The destination as a candidate: false when it is unhealthy (grain status, or a local mark not
    /// older than <paramref name="markLifetimeTicks"/>). Unknown health counts as healthy, and so does
    /// a status older than <paramref name="staleTicks"/>. <paramref name="inFlight"/> = others' in-flight
    /// + local in-flight, where others' is 0 when there is no status or it is stale (then
    /// <paramref name="stale"/> is true: the decision is local).
    /// </summary>
    public bool TryGetLoad(long now, long staleTicks, long markLifetimeTicks, out long inFlight, out double ewmaLatencyMs, out bool stale)
    {
        long others = 0;
        ewmaLatencyMs = 0;
        stale = false;
        lock (_gate)
        {
            if (_markSequence != 0)
            {
                if (now - _markTimestamp < markLifetimeTicks)
                {
                    inFlight = 0;
                    return false;
                }
                _markSequence = 0;
            }
            if (_hasStatus)
            {
                if (now - _statusTimestamp > staleTicks)
                {
                    stale = true;
                }
                else
                {
                    if (_status.Configured && !_status.Healthy)
                    {
                        inFlight = 0;
                        return false;
                    }
                    others = Math.Max(0, _status.TotalInFlight - _statusReportedLocal);
                }
                ewmaLatencyMs = _status.EwmaLatencyMs;
            }
            else
            {
                stale = true; // no news from the grain yet: a local decision
            }
        }
        inFlight = others + LocalInFlight;
        return true;
    }

    /// <summary>The last status and the local count reported with it; false before the first.</summary>
    public bool TryGetStatus(out BackendStatus status, out int reportedLocal)
    {
        lock (_gate)
        {
            status = _status;
            reportedLocal = _statusReportedLocal;
            return _hasStatus;
        }
    }

    private void ClearMarkIfNewer(long sequence)
    {
        if (_markSequence != 0 && sequence > _markSequence)
            _markSequence = 0;
    }
}
