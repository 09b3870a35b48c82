using System.Text.Json.Serialization;

namespace Granary.Gateway.Hosting;

/// <summary>The body of <c>GET /healthz</c>: <c>{"status":"ok","silo_connected":true}</c>.</summary>
/// <param name="Status">Always <c>"ok"</c> while the process serves.</param>
/// <param name="SiloConnected">True when the Orleans client has started and holds at least one silo connection: grains decide; false: local decisions.</param>
internal sealed record HealthResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("silo_connected")] bool SiloConnected);
