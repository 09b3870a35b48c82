using Granary.Runtime.Invocation;

namespace Granary.Gateway.Fallback;

/// <summary>Which grain-call exceptions mean "decide locally".</summary>
internal static class GrainFailures
{
    /// <summary>The <see cref="GrainCallException.Code"/> for a call the callee refused as malformed.</summary>
    public const string BadRequestCode = "bad_request";

    /// <summary>
    /// True for failures of the link or the callee that a local decision can stand in for: a missed
    /// deadline (<see cref="TimeoutException"/>), no silo (<see cref="SiloUnavailableException"/>), or a
    /// <see cref="GrainCallException"/> other than <c>bad_request</c>.
    /// </summary>
    public static bool IsFallbackError(Exception exception) => exception switch
    {
        TimeoutException => true,
        SiloUnavailableException => true,
        GrainCallException call => call.Code != BadRequestCode,
        _ => false,
    };
}
