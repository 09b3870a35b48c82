using Granary.Runtime.Messaging;

namespace Granary.Runtime.Hosting;

/// <summary>Options of a grain client, as used by gateways (configuration section <c>Granary:Client</c>).</summary>
public sealed class ClientOptions
{
    /// <summary>Silo grain endpoints, <c>host:port</c>; default <c>["127.0.0.1:11111"]</c>. With static membership this list is the view.</summary>
    public List<string> Silos { get; set; } = ["127.0.0.1:11111"];

    /// <summary>Per-call deadline, ms; default 2000. A call not answered in time fails with <see cref="TimeoutException"/>.</summary>
    public int CallTimeoutMs { get; set; } = 2000;

    /// <summary>Hard cap on one frame, bytes; default 1 MiB.</summary>
    public int MaxFrameBytes { get; set; } = FrameCodec.DefaultMaxFrameBytes;

    /// <summary>First reconnect delay after a connection drops, ms; default 100. Doubles per failure.</summary>
    public int ReconnectMinDelayMs { get; set; } = 100;

    /// <summary>Largest reconnect delay, ms; default 5000.</summary>
    public int ReconnectMaxDelayMs { get; set; } = 5000;

    /// <summary>Checks the values; returns the problems, each naming the property and its limit.</summary>
    public IEnumerable<string> Validate()
    {
        if (Silos.Count == 0) yield return $"{nameof(Silos)} must list at least one silo endpoint.";
        if (CallTimeoutMs < 1) yield return $"{nameof(CallTimeoutMs)} must be positive, got {CallTimeoutMs}.";
        if (MaxFrameBytes is < 1024 or > 64 * 1024 * 1024) yield return $"{nameof(MaxFrameBytes)} must be 1024–67108864, got {MaxFrameBytes}.";
        if (ReconnectMinDelayMs < 1 || ReconnectMaxDelayMs < ReconnectMinDelayMs)
            yield return $"{nameof(ReconnectMinDelayMs)} must be positive and at most {nameof(ReconnectMaxDelayMs)}.";
    }
}
