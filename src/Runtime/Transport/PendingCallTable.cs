namespace Granary.Runtime.Transport;

/// <summary>
/// The two-way calls of one <see cref="ClientSession"/> waiting for their answers, by request id:
/// <see cref="ShardCount"/> plain dictionaries, each behind its own short lock, chosen by the low bits
/// of the request id (ids are sequential, so consecutive calls land on different shards). Unlike a
/// <c>ConcurrentDictionary</c> an add allocates nothing once a shard has grown (removed entries are
/// reused), and callers adding on one core rarely meet the read loop removing on the other.
/// The cap on pending calls is enforced per shard (<see cref="Hosting.ClientOptions.MaxPendingCalls"/> /
/// <see cref="ShardCount"/> each), which bounds the whole table by the same total.
/// </summary>
internal sealed class PendingCallTable
{
    /// <summary>Number of shards (a power of two).</summary>
    public const int ShardCount = 16;

    private readonly Shard[] _shards;
    private readonly int _maxPerShard;

    /// <summary>Creates an empty table holding at most about <paramref name="maxCalls"/> calls.</summary>
    public PendingCallTable(int maxCalls)
    {
        _maxPerShard = Math.Max(1, maxCalls / ShardCount);
        _shards = new Shard[ShardCount];
        for (var i = 0; i < _shards.Length; i++)
            _shards[i] = new Shard();
    }

    /// <summary>Calls pending now (a sum over the shards without locking them: a snapshot that may be slightly off under load).</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var shard in _shards)
                count += Volatile.Read(ref shard.Count);
            return count;
        }
    }

    /// <summary>Registers <paramref name="call"/> under its request id.</summary>
    public PendingAddResult TryAdd(PendingCall call)
    {
        var shard = ShardOf(call.RequestId);
        lock (shard.Gate)
        {
            if (shard.Calls.Count >= _maxPerShard)
                return PendingAddResult.Full;
            if (!shard.Calls.TryAdd(call.RequestId, call))
                return PendingAddResult.IdInUse;
            shard.Count = shard.Calls.Count;
        }
        return PendingAddResult.Added;
    }

    /// <summary>Removes <paramref name="call"/> if it is still pending under <paramref name="requestId"/>; the remover then completes it.</summary>
    public bool TryRemove(uint requestId, PendingCall call)
    {
        var shard = ShardOf(requestId);
        lock (shard.Gate)
        {
            if (!shard.Calls.TryGetValue(requestId, out var found) || !ReferenceEquals(found, call))
                return false;
            shard.Calls.Remove(requestId);
            shard.Count = shard.Calls.Count;
        }
        return true;
    }

    /// <summary>Removes and returns whichever call is pending under <paramref name="requestId"/>; the remover then completes it.</summary>
    public bool TryTake(uint requestId, out PendingCall? call)
    {
        var shard = ShardOf(requestId);
        lock (shard.Gate)
        {
            if (!shard.Calls.Remove(requestId, out call))
                return false;
            shard.Count = shard.Calls.Count;
        }
        return true;
    }

    /// <summary>
    /// Removes every call that <paramref name="predicate"/> selects (all when null) and adds them to
    /// <paramref name="removed"/>; the caller then completes them (outside the shards' locks).
    /// </summary>
    public void RemoveWhere(Func<PendingCall, bool>? predicate, List<PendingCall> removed)
    {
        foreach (var shard in _shards)
        {
            lock (shard.Gate)
            {
                if (shard.Calls.Count == 0)
                    continue;
                var start = removed.Count;
                foreach (var call in shard.Calls.Values)
                {
                    if (predicate is null || predicate(call))
                        removed.Add(call);
                }
                for (var i = start; i < removed.Count; i++)
                    shard.Calls.Remove(removed[i].RequestId);
                shard.Count = shard.Calls.Count;
            }
        }
    }

    private Shard ShardOf(uint requestId) => _shards[requestId & (ShardCount - 1)];

    private sealed class Shard
    {
        public readonly Lock Gate = new();
        public readonly Dictionary<uint, PendingCall> Calls = [];
        public int Count;
    }
}
