using System.Buffers;
using Granary.Runtime.Serialization;

namespace Granary.Runtime.Storage;

/// <summary>
/// One durable state of one grain activation, written behind (Orleans: <c>IPersistentState&lt;T&gt;</c>,
/// with write-behind instead of a write per change). Get it from <see cref="IPersistentStateFactory"/>.
/// </summary>
/// <remarks>
/// <para><b>Use.</b> <see cref="LoadAsync"/> in <see cref="Grain.OnActivateAsync"/>; change
/// <see cref="State"/> in calls and end each changing turn with <see cref="MarkDirty"/>;
/// <see cref="FlushAsync"/> in <see cref="Grain.OnDeactivateAsync"/>. Every member except
/// <see cref="ETag"/> belongs to the activation's turns (not thread-safe).</para>
/// <para><b>Write-behind.</b> <see cref="MarkDirty"/> encodes <see cref="State"/> at once (on the
/// grain's turn, so the snapshot is consistent) into a pooled buffer and hands it to the silo's
/// write-behind queue; it does no I/O. The queue stores every dirty state once per
/// <c>Granary:Silo:WriteBehindIntervalMs</c> (≤ 1 s) in one batched write; a newer snapshot of the
/// same grain replaces an unwritten older one. A state is therefore durable at most one interval
/// (plus the write's latency) after its turn, while storage is reachable; while it is not, the
/// snapshot stays queued and is retried every interval.</para>
/// <para><b>Concurrency.</b> Writes are conditional on the etag last read or written. A conflict
/// (another activation wrote the grain) retires this state — nothing more is written — and
/// deactivates the activation (<see cref="DeactivationReason.Faulted"/>); the next activation re-reads.</para>
/// </remarks>
/// <typeparam name="T">The state type; it encodes itself (<see cref="IGrainCodec{TSelf}"/>).</typeparam>
public sealed class PersistentState<T> where T : IGrainCodec<T>
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    private readonly PersistentStateSlot _slot;
    private readonly WriteBehindQueue _queue;
    private readonly IGrainStorage _storage;

    internal PersistentState(PersistentStateSlot slot, WriteBehindQueue queue, IGrainStorage storage, string stateName, T initial)
    {
        _slot = slot;
        _queue = queue;
        _storage = storage;
        StateName = stateName;
        State = initial;
    }

    /// <summary>The state's name (<see cref="IPersistentStateFactory.DefaultStateName"/> for a grain's only state).</summary>
    public string StateName { get; }

    /// <summary>The state. Assigning it does not store it: call <see cref="MarkDirty"/> after.</summary>
    public T State { get; set; }

    /// <summary>The etag of the stored version this activation last read or wrote; null when nothing is stored (yet). Safe from any thread.</summary>
    public string? ETag => _slot.ETag;

    /// <summary>True when stored state exists (read by <see cref="LoadAsync"/> or written since).</summary>
    public bool RecordExists => _slot.ETag is not null;

    /// <summary>True when a snapshot marked dirty is not yet written.</summary>
    public bool IsDirty => _slot.IsDirty;

    /// <summary>
    /// Reads the stored state: sets <see cref="State"/> to it, or leaves the initial state when none
    /// is stored, and remembers the etag. Call once, from <see cref="Grain.OnActivateAsync"/>;
    /// a snapshot not yet written is discarded.
    /// </summary>
    /// <exception cref="GrainSerializationException">The stored payload does not decode as <typeparamref name="T"/>.</exception>
    /// <exception cref="Exception">Any other exception: storage could not be reached (the activation should fail; the next call retries).</exception>
    public async ValueTask LoadAsync(CancellationToken cancellationToken = default)
    {
        var record = await _storage.ReadStateAsync(_slot.StorageType, _slot.Key, cancellationToken).ConfigureAwait(false);
        if (record.Payload is { } payload)
            State = Decode(payload);
        _slot.Loaded(record.ETag);
    }

    /// <summary>
    /// Snapshots <see cref="State"/> (encodes it now, into a pooled buffer) for write-behind. Cheap:
    /// no I/O, no allocation once warm. Ignored after an etag conflict retired the state.
    /// </summary>
    public void MarkDirty()
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        T.Write(new GrainWriter(scratch), State);
        if (_slot.SetPending(scratch.WrittenSpan))
            _queue.Enqueue(_slot);
    }

    /// <summary>
    /// Writes the last snapshot marked dirty now, if it is not written yet (waits for a write-behind
    /// pass writing this state to finish first). Call from <see cref="Grain.OnDeactivateAsync"/>
    /// after a last <see cref="MarkDirty"/> if wanted. Does nothing when nothing is dirty or the state is retired.
    /// </summary>
    /// <exception cref="InconsistentStateException">Another activation wrote the grain's state: nothing was written, the state is retired and the activation deactivates.</exception>
    /// <exception cref="Exception">Any other exception: storage could not be reached; the snapshot stays queued and write-behind retries it every interval while the silo runs.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _queue.WriteNowAsync(_slot, cancellationToken);

    private static T Decode(ReadOnlyMemory<byte> payload)
    {
        var reader = new GrainReader(payload.Span);
        return T.Read(ref reader);
    }
}
