using System.Text.Json.Serialization;

namespace Granary.Samples.DemoBackend;

[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(EchoResponse))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
