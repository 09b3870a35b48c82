using Granary.Grains.Contracts;
using Granary.Hosting.Http;

namespace Granary.Gateway.Configuration;

/// <summary>
/// The gateway's own input limits (configuration section <c>Granary:Gateway:Limits</c>). The same section also
/// holds the HTTP limits of the gateway's Kestrel (<see cref="HttpLimitsOptions"/>: header size and count,
/// request line, body size, connections, header timeout).
/// </summary>
internal sealed class GatewayLimitsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Granary:Gateway:Limits";

    /// <summary>
    /// Longest accepted <c>X-Client-ID</c>, characters, 1–128 (the silo's admin API accepts up to 128);
    /// default 128. Charset <c>[A-Za-z0-9._:@-]</c>, fixed (<see cref="ClientIdRules"/>). A longer or
    /// malformed id gets 400 JSON naming the rule, counted in <c>granary_gateway_invalid_client_ids_total{reason}</c>.
    /// </summary>
    public int MaxClientIdLength { get; set; } = ClientIdRules.MaxLength;

    /// <summary>Checks the values; returns the problems, each naming the key and its limits.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxClientIdLength is < 1 or > ClientIdRules.MaxLength)
            yield return $"{Section}:{nameof(MaxClientIdLength)} must be 1–{ClientIdRules.MaxLength}, got {MaxClientIdLength}.";
    }
}
