using Microsoft.Extensions.Logging;

namespace Granary.Grains;

public sealed partial class BackendGrain
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Backend {Backend} is unhealthy: {Reason} (change: {Change})")]
    private static partial void LogUnhealthy(ILogger logger, string backend, string reason, string change);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Backend {Backend} health changed, now healthy: {Reason}")]
    private static partial void LogHealthy(ILogger logger, string backend, string reason);
}
