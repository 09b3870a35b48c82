using System.Net;

namespace Granary.Runtime.Membership;

/// <summary>
/// One incarnation of a silo: its grain endpoint and its generation. A restarted silo has a
/// new generation, so it is a different member (Orleans: <c>SiloAddress</c>).
/// </summary>
/// <param name="Host">IP address or host name of the grain port.</param>
/// <param name="Port">Grain port (11111, 11112, … in the local profile).</param>
/// <param name="Generation">Distinguishes restarts: milliseconds since the Unix epoch at start-up, or any increasing number.</param>
public sealed record SiloAddress(string Host, int Port, long Generation)
{
    /// <summary>The grain endpoint as <c>host:port</c>.</summary>
    public string Endpoint => $"{Host}:{Port}";

    /// <summary>Renders as <c>host:port@generation</c>.</summary>
    public override string ToString() => $"{Host}:{Port}@{Generation}";

    /// <summary>Parses <c>host:port</c> or <c>host:port@generation</c> (generation 0 when absent).</summary>
    /// <exception cref="FormatException">Not in that form, or the port is outside 1–65535.</exception>
    public static SiloAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@');
        long generation = 0;
        var endpoint = text;
        if (at >= 0)
        {
            if (!long.TryParse(text.AsSpan(at + 1), out generation))
                throw new FormatException($"Silo address '{text}' has an invalid generation.");
            endpoint = text[..at];
        }
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out var port) || port is < IPEndPoint.MinPort + 1 or > IPEndPoint.MaxPort)
            throw new FormatException($"Silo address '{text}' is not host:port with a port in 1–65535.");
        return new SiloAddress(endpoint[..colon], port, generation);
    }
}
