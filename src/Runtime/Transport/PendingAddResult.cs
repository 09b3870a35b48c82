namespace Granary.Runtime.Transport;

/// <summary>What became of <see cref="PendingCallTable.TryAdd"/>.</summary>
internal enum PendingAddResult
{
    /// <summary>The call is pending.</summary>
    Added,

    /// <summary>Too many calls are pending (the table's cap).</summary>
    Full,

    /// <summary>Another call is still pending under the same request id (only after 2^32 calls).</summary>
    IdInUse,
}
