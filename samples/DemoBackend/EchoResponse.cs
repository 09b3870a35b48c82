using System.Text.Json.Serialization;

namespace Granary.Samples.DemoBackend;

/// <summary>Body of every other path.</summary>
public sealed record EchoResponse(
    [property: JsonPropertyName("backend")] string Backend,
    [property: JsonPropertyName("path")] string Path);
