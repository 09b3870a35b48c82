using Granary.Grains.Contracts;

namespace Granary.Gateway.Configuration;

/// <summary>Rate limiting in the gateway (configuration section <c>Granary:RateLimit</c>).</summary>
internal sealed class RateLimitOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Granary:RateLimit";

    /// <summary>True (default) to rate-limit every proxied request by client id.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Capacity of the local per-client bucket used while the silo is unreachable, tokens; default 100.</summary>
    public long FallbackCapacity { get; set; } = 100;

    /// <summary>Refill rate of the local fallback bucket, tokens/s; default 50.</summary>
    public double FallbackRatePerSec { get; set; } = 50;

    /// <summary>Most clients tracked by the local fallback; when exceeded the table is cleared; 1–10,000,000; default 100,000.</summary>
    public int FallbackMaxClients { get; set; } = 100_000;

    /// <summary>Checks the values; returns the problems, each naming the key and its limits.</summary>
    public IEnumerable<string> Validate()
    {
        if (new ClientLimits(FallbackCapacity, FallbackRatePerSec).Validate() is { } problem)
            yield return $"{Section}:FallbackCapacity/FallbackRatePerSec: {problem}.";
        if (FallbackMaxClients is < 1 or > 10_000_000)
            yield return $"{Section}:FallbackMaxClients must be 1–10000000, got {FallbackMaxClients}.";
    }
}
