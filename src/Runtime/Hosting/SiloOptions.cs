using Granary.Runtime.Messaging;

namespace Granary.Runtime.Hosting;

/// <summary>Options of a silo's grain runtime (configuration section <c>Granary:Silo</c>).</summary>
public sealed class SiloOptions
{
    /// <summary>Address the grain port binds to and advertises; default <c>127.0.0.1</c>.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Grain port; default 11111 (local profile: 11111, 11112, …).</summary>
    public int GrainPort { get; set; } = 11111;

    /// <summary>This incarnation's generation; default 0 = milliseconds since the Unix epoch at start-up.</summary>
    public long Generation { get; set; }

    /// <summary>Hard cap on one frame, bytes; default 1 MiB. A larger frame closes the connection.</summary>
    public int MaxFrameBytes { get; set; } = FrameCodec.DefaultMaxFrameBytes;

    /// <summary>An activation with no call for this long is deactivated, ms; default 600000 (10 min).</summary>
    public int IdleTimeoutMs { get; set; } = 600_000;

    /// <summary>How often idle activations are looked for, ms; default 30000.</summary>
    public int CollectionIntervalMs { get; set; } = 30_000;

    /// <summary>Deadline of a grain call made inside the silo (admin API, dashboard), ms; default 5000.</summary>
    public int LocalCallTimeoutMs { get; set; } = 5_000;

    /// <summary>How often the silo renews its membership lease and re-reads the membership table, ms; default 1000.</summary>
    public int HeartbeatIntervalMs { get; set; } = 1_000;

    /// <summary>
    /// Length of the membership lease each heartbeat grants, ms; default 5000. A silo whose lease
    /// expires is declared Dead by a live silo. Must be at least twice <see cref="HeartbeatIntervalMs"/>.
    /// </summary>
    public int LeaseDurationMs { get; set; } = 5_000;

    /// <summary>Checks the values; returns the problems, each naming the property and its limit.</summary>
    public IEnumerable<string> Validate()
    {
        if (GrainPort is < 1 or > 65535) yield return $"{nameof(GrainPort)} must be 1–65535, got {GrainPort}.";
        if (MaxFrameBytes is < 1024 or > 64 * 1024 * 1024) yield return $"{nameof(MaxFrameBytes)} must be 1024–67108864, got {MaxFrameBytes}.";
        if (IdleTimeoutMs < 1000) yield return $"{nameof(IdleTimeoutMs)} must be at least 1000, got {IdleTimeoutMs}.";
        if (CollectionIntervalMs < 100) yield return $"{nameof(CollectionIntervalMs)} must be at least 100, got {CollectionIntervalMs}.";
        if (LocalCallTimeoutMs < 1) yield return $"{nameof(LocalCallTimeoutMs)} must be positive, got {LocalCallTimeoutMs}.";
        if (string.IsNullOrWhiteSpace(Host)) yield return $"{nameof(Host)} must name the address of the grain port.";
        if (Generation < 0) yield return $"{nameof(Generation)} must be 0 (derive from the clock) or positive, got {Generation}.";
        if (HeartbeatIntervalMs < 100) yield return $"{nameof(HeartbeatIntervalMs)} must be at least 100, got {HeartbeatIntervalMs}.";
        if (LeaseDurationMs < 2 * HeartbeatIntervalMs)
            yield return $"{nameof(LeaseDurationMs)} must be at least twice {nameof(HeartbeatIntervalMs)} ({2 * HeartbeatIntervalMs}), got {LeaseDurationMs}.";
    }
}
