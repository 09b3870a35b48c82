using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Catalog;

/// <summary>Log messages of the catalog and its activations (event ids 1001–1099).</summary>
internal static partial class CatalogLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Activated {GrainId}")]
    public static partial void Activated(ILogger logger, GrainId grainId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Activation of {GrainId} failed; its waiting calls fail and the next call retries")]
    public static partial void ActivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Deactivated {GrainId} ({Reason})")]
    public static partial void Deactivated(ILogger logger, GrainId grainId, DeactivationReason reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "OnDeactivateAsync of {GrainId} threw")]
    public static partial void DeactivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "A timer callback of {GrainId} threw")]
    public static partial void TimerFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "A turn of {GrainId} threw")]
    public static partial void TurnFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Debug, Message = "A call to {GrainId} threw")]
    public static partial void GrainCallFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Deactivating {Count} activation(s): {Reason}")]
    public static partial void DeactivatingMany(ILogger logger, int count, DeactivationReason reason);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Error, Message = "Unexpected failure handling a call to {GrainId}")]
    public static partial void HandleFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "One-way call to {GrainId} method {MethodId} failed: {Code}: {Message}")]
    public static partial void OneWayFailed(ILogger logger, GrainId grainId, ushort methodId, string code, string message);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Maximum of {MaxActivations} activations reached: deactivating the {Count} least recently used idle activation(s) to make room")]
    public static partial void ShedForMaxActivations(ILogger logger, int count, int maxActivations);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Maximum of {MaxActivations} activations reached and none is idle: new activations are refused with 'overloaded' (Granary:Silo:MaxActivations)")]
    public static partial void MaxActivationsNoneIdle(ILogger logger, int maxActivations);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "Memory pressure: GC heap {HeapMb} MB of {AvailableMb} MB available is above {Fraction:P0}; deactivated {Count} activation(s) idle longer than {IdleTimeoutMs} ms")]
    public static partial void MemoryPressure(ILogger logger, long heapMb, long availableMb, double fraction, int idleTimeoutMs, int count);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Information, Message = "Memory pressure over: GC heap {HeapMb} MB of {AvailableMb} MB available; the normal idle timeout applies again")]
    public static partial void MemoryPressureEnded(ILogger logger, long heapMb, long availableMb);
}
