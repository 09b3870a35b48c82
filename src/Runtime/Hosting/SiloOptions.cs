using Granary.Runtime.Messaging;

namespace Granary.Runtime.Hosting;

/// <summary>Options of a silo's grain runtime (configuration section <c>Granary:Silo</c>).</summary>
public sealed class SiloOptions
{
    /// <summary>
    /// Address the grain port (and the silo's HTTP port) binds to: an IP address, <c>localhost</c>,
    /// or <c>*</c> / <c>0.0.0.0</c> for all interfaces; default <c>127.0.0.1</c>. Also the address
    /// advertised in membership unless <see cref="AdvertisedHost"/> is set.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>
    /// Host name or IP address that gateways and other silos use to reach this silo's grain port,
    /// as written to the membership table; default none = <see cref="Host"/>. Set it when
    /// <see cref="Host"/> is a wildcard such as <c>0.0.0.0</c> (containers: the service's DNS name, e.g. <c>silo1</c>).
    /// </summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>Grain port; default 11111 (local profile: 11111, 11112, …).</summary>
    public int GrainPort { get; set; } = 11111;

    /// <summary>This incarnation's generation; default 0 = milliseconds since the Unix epoch at start-up.</summary>
    public long Generation { get; set; }

    /// <summary>Hard cap on one frame, bytes; default 1 MiB. A larger frame closes the connection (counted: <c>granary_silo_grain_port_limit_hits_total{limit="max_frame_bytes"}</c>).</summary>
    public int MaxFrameBytes { get; set; } = FrameCodec.DefaultMaxFrameBytes;

    /// <summary>
    /// The cluster secret every grain connection must prove (<see cref="ClusterHandshake"/>); default none,
    /// which means the value of <c>Granary:ClusterSecret</c> (env <c>Granary__ClusterSecret</c>), the key to use.
    /// With neither, the handshake runs with the empty secret: only clients without a secret get in, a
    /// warning says the grain port is unauthenticated, and a silo whose <see cref="Host"/> is not a loopback
    /// address refuses to start. Never logged.
    /// </summary>
    public string? ClusterSecret { get; set; }

    /// <summary>
    /// Most grain-port connections open at once; default 1024. One more is refused during the handshake
    /// (status <see cref="HandshakeStatus.TooManyConnections"/>), logged and counted
    /// (<c>granary_silo_grain_port_limit_hits_total{limit="max_connections"}</c>). 1–1000000.
    /// </summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>
    /// Most calls running at once per grain connection; default 10000. More are answered with error
    /// <c>overloaded</c> at once, logged and counted (<c>granary_silo_grain_port_limit_hits_total{limit="max_in_flight_per_connection"}</c>). 1–1000000.
    /// </summary>
    public int MaxInFlightPerConnection { get; set; } = 10_000;

    /// <summary>
    /// Deadline for a new grain connection's preamble and handshake, ms; default 5000. A peer that is
    /// slower, sends garbage or closes early is disconnected, logged and counted
    /// (<c>granary_silo_handshake_failures_total{reason}</c>). 100–60000.
    /// </summary>
    public int HandshakeTimeoutMs { get; set; } = ClusterHandshake.DefaultTimeoutMs;

    /// <summary>
    /// An activation with no call for this long is deactivated, ms; default 600000 (10 min). Checked
    /// every <see cref="CollectionIntervalMs"/>, and a call is dated by the first check that sees it,
    /// so an idle activation goes after between this and this plus two collection intervals.
    /// </summary>
    public int IdleTimeoutMs { get; set; } = 600_000;

    /// <summary>How often idle activations are looked for, ms; default 30000.</summary>
    public int CollectionIntervalMs { get; set; } = 30_000;

    /// <summary>Deadline of a grain call made inside the silo (admin API, dashboard), ms; default 5000.</summary>
    public int LocalCallTimeoutMs { get; set; } = 5_000;

    /// <summary>How often the silo renews its membership lease (a heartbeat), ms; default 1000.</summary>
    public int HeartbeatIntervalMs { get; set; } = 1_000;

    /// <summary>
    /// Length of the membership lease each heartbeat grants, ms (database clock); default 5000. A silo
    /// whose lease expires is declared Dead by a live silo. A silo that could not renew its lease for
    /// more than half of it fences itself (answers no grain call, runs no grain timer) until it renews
    /// it, or, once declared Dead, until it rejoins as a new generation. Must be at least twice
    /// <see cref="HeartbeatIntervalMs"/>.
    /// </summary>
    public int LeaseDurationMs { get; set; } = 5_000;

    /// <summary>
    /// How often write-behind stores the grain states marked dirty since the last pass, in one
    /// batched write, ms; default 1000, allowed 10–1000 (state is durable at most this long after a change).
    /// </summary>
    public int WriteBehindIntervalMs { get; set; } = 1_000;

    /// <summary>
    /// Most grains whose state may wait for write-behind (memory bound while storage is down);
    /// default 100000. Beyond it the oldest waiting state is dropped, counted and logged.
    /// </summary>
    public int WriteBehindMaxPending { get; set; } = 100_000;

    /// <summary>
    /// How often the silo re-reads the membership table even without a change notification, ms;
    /// default 2000. Also re-read at once on a notification (PostgreSQL LISTEN/NOTIFY) and right
    /// after the earliest lease of another silo ends, so a dead silo is found without waiting for this.
    /// </summary>
    public int MembershipRefreshIntervalMs { get; set; } = 2_000;

    /// <summary>
    /// Graceful stop: how long, ms, a silo that went ShuttingDown keeps redirecting calls that arrive on
    /// an old view to the grains' new owners before its grains deactivate and it refuses calls with
    /// <c>shutting_down</c>; only when other silos remain Active. Callers learn the new view by NOTIFY
    /// within milliseconds, else by their next poll; 0 (the default) skips the wait. 0–30000.
    /// </summary>
    public int ShutdownDrainMs { get; set; }

    /// <summary>
    /// This silo's HTTP port (dashboard, admin API, metrics) as advertised in the membership table,
    /// so tools can reach every silo; default none. 0 or none is written as unknown.
    /// </summary>
    public int? HttpPort { get; set; }

    /// <summary>
    /// When set, every grain turn (call, timer tick, posted work) appends one line to this file:
    /// <c>grainType/key</c> TAB <c>silo</c> (<c>host:port@generation</c>) TAB <c>viewVersion</c> TAB
    /// <c>startUnixMicros</c> TAB <c>endUnixMicros</c> (wall clock), flushed at least every 100 ms and
    /// at shutdown. For fault tests that check single activation; default none (off, no cost).
    /// </summary>
    public string? TurnLogPath { get; set; }

    /// <summary>
    /// Most live activations this silo holds, 1–100,000,000; default 1,000,000. An activation needed
    /// beyond it first makes room by deactivating the least recently used idle activations (no call since
    /// the last collection pass or shed pass, nothing running or queued), <see cref="ActivationShedPercent"/>
    /// of this at a time and at most one such pass per second; when none is idle the call fails with
    /// grain-call error <c>overloaded</c> (callers decide locally). Counted in
    /// <c>granary_silo_activations_shed_total{reason="max_activations"}</c> and <c>granary_silo_activations_refused_total</c>.
    /// </summary>
    public int MaxActivations { get; set; } = 1_000_000;

    /// <summary>Share of <see cref="MaxActivations"/> deactivated by one pass that makes room, percent, 1–100; default 10.</summary>
    public int ActivationShedPercent { get; set; } = 10;

    /// <summary>
    /// Memory pressure threshold: when the GC heap (<c>GC.GetGCMemoryInfo().HeapSizeBytes</c>) is above this
    /// fraction of the memory available to the process (<c>TotalAvailableMemoryBytes</c>: the container limit,
    /// else physical memory), each collection pass also deactivates activations idle for longer than
    /// <see cref="MemoryPressureIdleTimeoutMs"/>, logs a warning and counts them in
    /// <c>granary_silo_activations_shed_total{reason="memory_pressure"}</c>. 0 turns it off, else 0.1–1.0; default 0.8.
    /// </summary>
    public double MemoryPressureFraction { get; set; } = 0.8;

    /// <summary>The idle timeout used under memory pressure (see <see cref="MemoryPressureFraction"/>), ms, at least 100; default 60000 (1 min).</summary>
    public int MemoryPressureIdleTimeoutMs { get; set; } = 60_000;

    /// <summary>Checks the values; returns the problems, each naming the property and its limit.</summary>
    public IEnumerable<string> Validate()
    {
        if (GrainPort is < 1 or > 65535) yield return $"{nameof(GrainPort)} must be 1–65535, got {GrainPort}.";
        if (MaxFrameBytes is < 1024 or > 64 * 1024 * 1024) yield return $"{nameof(MaxFrameBytes)} must be 1024–67108864, got {MaxFrameBytes}.";
        if (IdleTimeoutMs < 1000) yield return $"{nameof(IdleTimeoutMs)} must be at least 1000, got {IdleTimeoutMs}.";
        if (CollectionIntervalMs < 100) yield return $"{nameof(CollectionIntervalMs)} must be at least 100, got {CollectionIntervalMs}.";
        if (LocalCallTimeoutMs < 1) yield return $"{nameof(LocalCallTimeoutMs)} must be positive, got {LocalCallTimeoutMs}.";
        if (string.IsNullOrWhiteSpace(Host)) yield return $"{nameof(Host)} must name the address of the grain port.";
        if (AdvertisedHost is "0.0.0.0" or "::" or "*" or "+")
            yield return $"{nameof(AdvertisedHost)} must be an address others can reach, not the wildcard '{AdvertisedHost}'.";
        if (Generation < 0) yield return $"{nameof(Generation)} must be 0 (derive from the clock) or positive, got {Generation}.";
        if (WriteBehindIntervalMs is < 10 or > 1000) yield return $"{nameof(WriteBehindIntervalMs)} must be 10–1000, got {WriteBehindIntervalMs}.";
        if (WriteBehindMaxPending < 1) yield return $"{nameof(WriteBehindMaxPending)} must be positive, got {WriteBehindMaxPending}.";
        if (ShutdownDrainMs is < 0 or > 30_000) yield return $"{nameof(ShutdownDrainMs)} must be 0–30000, got {ShutdownDrainMs}.";
        if (MembershipRefreshIntervalMs < 100) yield return $"{nameof(MembershipRefreshIntervalMs)} must be at least 100, got {MembershipRefreshIntervalMs}.";
        if (MaxConnections is < 1 or > 1_000_000) yield return $"{nameof(MaxConnections)} must be 1–1000000, got {MaxConnections}.";
        if (MaxInFlightPerConnection is < 1 or > 1_000_000) yield return $"{nameof(MaxInFlightPerConnection)} must be 1–1000000, got {MaxInFlightPerConnection}.";
        if (HandshakeTimeoutMs is < 100 or > 60_000) yield return $"{nameof(HandshakeTimeoutMs)} must be 100–60000, got {HandshakeTimeoutMs}.";
        if (HttpPort is < 0 or > 65535) yield return $"{nameof(HttpPort)} must be 0–65535, got {HttpPort}.";
        if (MaxActivations is < 1 or > 100_000_000) yield return $"{nameof(MaxActivations)} must be 1–100000000, got {MaxActivations}.";
        if (ActivationShedPercent is < 1 or > 100) yield return $"{nameof(ActivationShedPercent)} must be 1–100, got {ActivationShedPercent}.";
        if (!(MemoryPressureFraction == 0 || MemoryPressureFraction is >= 0.1 and <= 1.0))
            yield return $"{nameof(MemoryPressureFraction)} must be 0 (off) or 0.1–1.0, got {MemoryPressureFraction}.";
        if (MemoryPressureIdleTimeoutMs < 100) yield return $"{nameof(MemoryPressureIdleTimeoutMs)} must be at least 100, got {MemoryPressureIdleTimeoutMs}.";
        if (HeartbeatIntervalMs < 100) yield return $"{nameof(HeartbeatIntervalMs)} must be at least 100, got {HeartbeatIntervalMs}.";
        if (LeaseDurationMs < 2 * HeartbeatIntervalMs)
            yield return $"{nameof(LeaseDurationMs)} must be at least twice {nameof(HeartbeatIntervalMs)} ({2 * HeartbeatIntervalMs}), got {LeaseDurationMs}.";
    }

    /// <summary>
    /// The start-up rule for the grain port's security, checked once the secret is resolved (see
    /// <see cref="ClusterSecret"/>): a grain port bound beyond loopback needs a cluster secret.
    /// Returns the problem, or null.
    /// </summary>
    /// <param name="resolvedSecret">The secret in force (<see cref="ClusterSecret"/> or <c>Granary:ClusterSecret</c>), or null.</param>
    public string? ValidateGrainPortSecurity(string? resolvedSecret) =>
        string.IsNullOrEmpty(resolvedSecret) && !IsLoopbackHost(Host)
            ? $"The grain port binds {Host}, beyond loopback, but no cluster secret is configured: set {ClusterHandshake.SecretConfigurationKey} (env Granary__ClusterSecret) to the same random value on every silo and gateway, or bind {nameof(Host)} to 127.0.0.1."
            : null;

    /// <summary>True for <c>localhost</c> and loopback IP addresses.</summary>
    internal static bool IsLoopbackHost(string host) =>
        host == "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
