namespace Granary.Gateway.Diagnostics;

/// <summary>Values of the <c>kind</c> tag of <c>granary.gateway.fallback_decisions</c>.</summary>
internal static class FallbackKinds
{
    /// <summary>A rate-limit decision taken by the local token bucket.</summary>
    public const string RateLimit = "rate_limit";

    /// <summary>A balancing decision taken with stale or no data from the backend grains.</summary>
    public const string Balancing = "balancing";
}
