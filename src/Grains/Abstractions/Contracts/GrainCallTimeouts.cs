namespace Granary.Grains.Contracts;

/// <summary>
/// The per-method response timeouts of Granary's grain interfaces (Orleans's
/// <see cref="ResponseTimeoutAttribute"/>, a <see cref="TimeSpan"/> string), so that no call waits
/// for Orleans's 30 s default <c>MessagingOptions.ResponseTimeout</c>. A call past its timeout
/// fails with <see cref="TimeoutException"/>; gateways then decide locally (and count it in
/// <c>granary.gateway.fallback.decisions</c>).
/// </summary>
public static class GrainCallTimeouts
{
    /// <summary>
    /// Calls on a gateway's request path (token decisions, leases, in-flight and outcome reports,
    /// configuration, heartbeats): 1 s. A healthy call takes well under 10 ms even on a loaded
    /// 2-core machine; a silo killed mid-call is declared dead within ~2 s, so 1 s bounds the
    /// requests that wait on it without failing calls that are merely slow.
    /// </summary>
    public const string HotPath = "00:00:01";

    /// <summary>Calls of the admin API and the dashboards (limits, live state): 5 s.</summary>
    public const string Admin = "00:00:05";
}
