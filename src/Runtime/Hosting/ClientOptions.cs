using Granary.Runtime.Messaging;

namespace Granary.Runtime.Hosting;

/// <summary>Options of a grain client, as used by gateways (configuration section <c>Granary:Client</c>).</summary>
public sealed class ClientOptions
{
    /// <summary>The silo used when <see cref="Silos"/> is empty: the local profile's first silo.</summary>
    public const string DefaultSilo = "127.0.0.1:11111";

    /// <summary>
    /// Silo grain endpoints, <c>host:port</c>; empty (the default) means <see cref="DefaultSilo"/>.
    /// With static membership this list is the view. Empty by default so that configuration
    /// binding, which appends to a list, replaces the default rather than adding to it.
    /// </summary>
    public List<string> Silos { get; set; } = [];

    /// <summary>The silos to use: <see cref="Silos"/>, or <see cref="DefaultSilo"/> when it is empty.</summary>
    public IReadOnlyList<string> ResolvedSilos => Silos.Count == 0 ? [DefaultSilo] : Silos;

    /// <summary>Per-call deadline, ms; default 2000. A call not answered in time fails with <see cref="TimeoutException"/>.</summary>
    public int CallTimeoutMs { get; set; } = 2000;

    /// <summary>Hard cap on one frame, bytes; default 1 MiB. A call encoding to more fails with <c>bad_request</c> (counted: <c>granary_client_limit_hits_total{limit="max_frame_bytes"}</c>).</summary>
    public int MaxFrameBytes { get; set; } = FrameCodec.DefaultMaxFrameBytes;

    /// <summary>
    /// The cluster secret this client proves to every silo and expects every silo to prove back
    /// (<see cref="ClusterHandshake"/>); default none, which means the value of <c>Granary:ClusterSecret</c>
    /// (env <c>Granary__ClusterSecret</c>), the key to use. With neither, the empty secret is used: only
    /// silos without a secret accept it (a warning says so at start). Never logged.
    /// </summary>
    public string? ClusterSecret { get; set; }

    /// <summary>
    /// Most two-way calls waiting for answers on one silo connection; default 100000. More fail at once
    /// with <c>overloaded</c> (counted: <c>granary_client_limit_hits_total{limit="max_pending_calls"}</c>).
    /// Enforced per 1/16 shard of the pending-call table. 16–10000000.
    /// </summary>
    public int MaxPendingCalls { get; set; } = 100_000;

    /// <summary>First reconnect delay after a connection drops, ms; default 100. Doubles per failure.</summary>
    public int ReconnectMinDelayMs { get; set; } = 100;

    /// <summary>Largest reconnect delay, ms; default 5000.</summary>
    public int ReconnectMaxDelayMs { get; set; } = 5000;

    /// <summary>Checks the values; returns the problems, each naming the property and its limit.</summary>
    public IEnumerable<string> Validate()
    {
        if (CallTimeoutMs < 1) yield return $"{nameof(CallTimeoutMs)} must be positive, got {CallTimeoutMs}.";
        if (MaxFrameBytes is < 1024 or > 64 * 1024 * 1024) yield return $"{nameof(MaxFrameBytes)} must be 1024–67108864, got {MaxFrameBytes}.";
        if (MaxPendingCalls is < 16 or > 10_000_000) yield return $"{nameof(MaxPendingCalls)} must be 16–10000000, got {MaxPendingCalls}.";
        if (ReconnectMinDelayMs < 1 || ReconnectMaxDelayMs < ReconnectMinDelayMs)
            yield return $"{nameof(ReconnectMinDelayMs)} must be positive and at most {nameof(ReconnectMaxDelayMs)}.";
    }
}
