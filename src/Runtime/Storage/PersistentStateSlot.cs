using System.Buffers;

namespace Granary.Runtime.Storage;

/// <summary>
/// The byte-level side of one <see cref="PersistentState{T}"/>, shared with the
/// <see cref="WriteBehindQueue"/>: the last encoded snapshot not yet written (a pooled buffer),
/// the etag last read or written, and whether an etag conflict retired the state.
/// </summary>
/// <remarks>
/// <para>A short lock guards the snapshot and etag (never held across an await).
/// <see cref="WriteLock"/> is held for the whole of one write of this state (batched or direct),
/// so two writes of one state never race on its etag.</para>
/// <para>The snapshot buffer is owned by exactly one party at a time: the slot (pending), or the
/// writer that took it (<see cref="TryTake"/>), which hands it back with <see cref="Written"/>,
/// <see cref="Conflicted"/> or <see cref="Failed"/>.</para>
/// </remarks>
internal sealed class PersistentStateSlot(IGrainContext context, string storageType, string key)
{
    private readonly Lock _gate = new();
    private byte[]? _pending;
    private int _pendingLength;
    private string? _etag;
    private bool _faulted;

    /// <summary>1 while the slot waits in the write-behind queue (set and cleared with Interlocked by the queue).</summary>
    internal int InQueue;

    /// <summary>Held for the whole of one write of this state.</summary>
    public SemaphoreSlim WriteLock { get; } = new(1, 1);

    public IGrainContext Context { get; } = context;

    /// <summary>The grain type the state is stored under.</summary>
    public string StorageType { get; } = storageType;

    public string Key { get; } = key;

    public string? ETag
    {
        get { lock (_gate) return _etag; }
    }

    /// <summary>True once an etag conflict showed another activation owns the stored state; nothing is written any more.</summary>
    public bool IsFaulted
    {
        get { lock (_gate) return _faulted; }
    }

    /// <summary>True when a snapshot waits to be written.</summary>
    public bool IsDirty
    {
        get { lock (_gate) return _pending is not null; }
    }

    /// <summary>Sets the etag after a read; discards any unwritten snapshot.</summary>
    public void Loaded(string? etag)
    {
        lock (_gate)
        {
            _etag = etag;
            ReturnPending();
        }
    }

    /// <summary>Replaces the unwritten snapshot with a copy of <paramref name="encoded"/>. False when the state is faulted (nothing kept).</summary>
    public bool SetPending(ReadOnlySpan<byte> encoded)
    {
        lock (_gate)
        {
            if (_faulted)
                return false;
            if (_pending is null || _pending.Length < encoded.Length)
            {
                ReturnPending();
                _pending = ArrayPool<byte>.Shared.Rent(Math.Max(encoded.Length, 1));
            }
            encoded.CopyTo(_pending);
            _pendingLength = encoded.Length;
            return true;
        }
    }

    /// <summary>Takes the unwritten snapshot (ownership passes to the caller) and the etag to write it against.</summary>
    public bool TryTake(out PendingWrite write)
    {
        lock (_gate)
        {
            if (_pending is null || _faulted)
            {
                write = default;
                return false;
            }
            write = new PendingWrite(_pending, _pendingLength, _etag);
            _pending = null;
            _pendingLength = 0;
            return true;
        }
    }

    /// <summary>The write stored <paramref name="write"/>; <paramref name="newETag"/> is the etag of the next write.</summary>
    public void Written(PendingWrite write, string newETag)
    {
        lock (_gate)
            _etag = newETag;
        ArrayPool<byte>.Shared.Return(write.Buffer);
    }

    /// <summary>The write was refused by an etag conflict: the state is retired (no more writes). True the first time.</summary>
    public bool Conflicted(PendingWrite write)
    {
        ArrayPool<byte>.Shared.Return(write.Buffer);
        lock (_gate)
        {
            var first = !_faulted;
            _faulted = true;
            ReturnPending();
            return first;
        }
    }

    /// <summary>
    /// The write failed (store unreachable, outcome unknown): <paramref name="write"/> becomes the
    /// pending snapshot again unless a newer one was set meanwhile. True when a snapshot is pending.
    /// </summary>
    public bool Failed(PendingWrite write)
    {
        lock (_gate)
        {
            if (_pending is null && !_faulted)
            {
                _pending = write.Buffer;
                _pendingLength = write.Length;
                return true;
            }
        }
        ArrayPool<byte>.Shared.Return(write.Buffer);
        return IsDirty;
    }

    /// <summary>Discards the unwritten snapshot (the queue is over its cap). True when there was one.</summary>
    public bool DropPending()
    {
        lock (_gate)
        {
            var had = _pending is not null;
            ReturnPending();
            return had;
        }
    }

    private void ReturnPending()
    {
        if (_pending is { } buffer)
            ArrayPool<byte>.Shared.Return(buffer);
        _pending = null;
        _pendingLength = 0;
    }

    public override string ToString() => $"{StorageType}/{Key}";

    /// <summary>A snapshot taken for writing: a pooled buffer, its used length, and the etag to write against.</summary>
    internal readonly record struct PendingWrite(byte[] Buffer, int Length, string? ExpectedETag)
    {
        public ReadOnlyMemory<byte> Payload => Buffer.AsMemory(0, Length);
    }
}
