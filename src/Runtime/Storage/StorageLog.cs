using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Storage;

/// <summary>Log messages of grain persistence and write-behind (event ids 1400–1499).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Warning, Message = "Write-behind could not store {Count} grain state(s); they stay queued and are retried next interval")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "State of {Grain} was written by another activation (etag conflict); deactivating this one")]
    public static partial void Conflict(ILogger logger, string grain);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Error, Message = "Write-behind queue over its cap of {Cap} grains: dropped {Count} unwritten state(s), oldest first")]
    public static partial void Dropped(ILogger logger, int cap, long count);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Write-behind flushed {Count} grain state(s) at shutdown")]
    public static partial void ShutdownFlushed(ILogger logger, int count);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Error, Message = "Write-behind stopped with {Count} grain state(s) unwritten (storage unreachable or stop deadline passed)")]
    public static partial void ShutdownLost(ILogger logger, int count);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Error, Message = "Unexpected failure in a write-behind pass")]
    public static partial void PassFailed(ILogger logger, Exception exception);
}
