using System.Text.Json.Serialization;

namespace Granary.Gateway.Hosting;

/// <summary>Source-generated JSON for the health response.</summary>
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
