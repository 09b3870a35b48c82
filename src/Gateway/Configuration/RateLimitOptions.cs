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

    /// <summary>
    /// Default consistency of client buckets: <c>Exact</c> (default; one client-grain call per
    /// request) or <c>Batched</c> (the gateway leases tokens in batches of <see cref="LeaseTokens"/>
    /// and spends them locally).
    /// </summary>
    public string Mode { get; set; } = ConsistencyModes.Exact;

    /// <summary>Client ids rate-limited in batched mode whatever <see cref="Mode"/> says.</summary>
    public string[] BatchedClients { get; set; } = [];

    /// <summary>Client ids rate-limited in exact mode whatever <see cref="Mode"/> says (wins over <see cref="BatchedClients"/>).</summary>
    public string[] ExactClients { get; set; } = [];

    /// <summary>
    /// Batched mode: the tokens a gateway asks a client grain for at a time, tokens; 1–100,000; default 500
    /// (plus one per request waiting for the lease; the grain grants at most a quarter of the bucket's
    /// capacity, and never more than it holds). A new lease is requested when half are spent. Bounds
    /// the over-admission: at most one lease per gateway per client beyond what the bucket alone admits.
    /// </summary>
    public int LeaseTokens { get; set; } = 500;

    /// <summary>Batched mode: a client's unspent leased tokens go back to its grain after this long without a request, ms; 100–600,000; default 2000.</summary>
    public int LeaseIdleMs { get; set; } = 2000;

    /// <summary>Checks the values; returns the problems, each naming the key and its limits.</summary>
    public IEnumerable<string> Validate()
    {
        if (new ClientLimits(FallbackCapacity, FallbackRatePerSec).Validate() is { } problem)
            yield return $"{Section}:FallbackCapacity/FallbackRatePerSec: {problem}.";
        var modeProblems = new List<string>();
        ConsistencyModes.Parse(Mode, Section + ":Mode", modeProblems);
        foreach (var modeProblem in modeProblems)
            yield return modeProblem;
        if (LeaseTokens is < 1 or > 100_000)
            yield return $"{Section}:LeaseTokens must be 1–100000, got {LeaseTokens}.";
        if (LeaseIdleMs is < 100 or > 600_000)
            yield return $"{Section}:LeaseIdleMs must be 100–600000, got {LeaseIdleMs}.";
        if (FallbackMaxClients is < 1 or > 10_000_000)
            yield return $"{Section}:FallbackMaxClients must be 1–10000000, got {FallbackMaxClients}.";
    }
}
