using System.Text.Json.Serialization;

namespace Granary.Samples.DemoBackend;

/// <summary>Body of any error: <c>{"code":N,"message":"..."}</c>.</summary>
public sealed record ErrorResponse(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message);
