using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace Granary.Runtime.Transport;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over an <see cref="ArrayPool{T}"/> array, itself pooled, so
/// encoding a call or a result allocates nothing in the steady state. Rent with <see cref="Rent"/>,
/// give back with <see cref="Return"/> exactly once; never touch it after returning it. Each thread
/// keeps one writer of its own in front of the shared pool (as <c>ArrayPool</c> keeps arrays per thread).
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int InitialSize = 256;
    private const int MaxPooledWriters = 8192;
    private const int MaxRetainedArrayBytes = 64 * 1024;
    private static readonly ConcurrentQueue<PooledBufferWriter> Pool = new();
    private static int _pooledCount;

    [ThreadStatic]
    private static PooledBufferWriter? t_cached;

    private byte[] _buffer = [];
    private int _written;

    /// <summary>Bytes written so far.</summary>
    public int WrittenCount => _written;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>Takes an empty writer from the pool (or makes one).</summary>
    public static PooledBufferWriter Rent()
    {
        // One writer per thread first: no shared state touched (most calls rent and return on one thread).
        if (t_cached is { } cached)
        {
            t_cached = null;
            return cached;
        }
        if (Pool.TryDequeue(out var writer))
        {
            Interlocked.Decrement(ref _pooledCount);
            return writer;
        }
        return new PooledBufferWriter();
    }

    /// <summary>Gives <paramref name="writer"/> back; its content is discarded.</summary>
    public static void Return(PooledBufferWriter writer)
    {
        writer._written = 0;
        if (writer._buffer.Length > MaxRetainedArrayBytes)
        {
            ArrayPool<byte>.Shared.Return(writer._buffer);
            writer._buffer = [];
        }
        if (t_cached is null)
        {
            t_cached = writer;
            return;
        }
        if (Interlocked.Increment(ref _pooledCount) <= MaxPooledWriters)
        {
            Pool.Enqueue(writer);
            return;
        }
        Interlocked.Decrement(ref _pooledCount);
        if (writer._buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(writer._buffer);
        writer._buffer = [];
    }

    /// <summary>Discards what was written; keeps the array.</summary>
    public void Clear() => _written = 0;

    /// <inheritdoc />
    public void Advance(int count)
    {
        Debug.Assert(count >= 0 && _written + count <= _buffer.Length);
        if (count < 0 || _written + count > _buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(count));
        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
            sizeHint = 1;
        if (_buffer.Length - _written >= sizeHint)
            return;
        var needed = checked(_written + sizeHint);
        var size = Math.Max(needed, Math.Max(InitialSize, _buffer.Length * 2));
        var next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(next);
        if (_buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
