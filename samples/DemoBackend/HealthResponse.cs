using System.Text.Json.Serialization;

namespace Granary.Samples.DemoBackend;

/// <summary>Body of <c>GET /healthz</c>.</summary>
public sealed record HealthResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("id")] string Id);
