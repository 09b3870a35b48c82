using System.Buffers;
using System.Text.Json;
using Granary.Grains.Contracts;

namespace Granary.Silo.Admin;

/// <summary>
/// Reads and validates admin request bodies by hand (size cap, <see cref="JsonDocument"/>, field by
/// field), so every problem gets the silo's own JSON error naming the field, never the framework's.
/// </summary>
internal static class AdminRequestReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// The 415 message for a body that is not JSON; null when <paramref name="contentType"/> is JSON
    /// (<c>application/json</c> or any <c>application/*+json</c>, parameters such as <c>charset</c> allowed) or absent
    /// (a client that names no type is read as JSON, as <c>curl --data</c> users expect of a JSON API).
    /// Form bodies and <c>text/plain</c>, for example, get <c>Content-Type must be application/json, got 'text/plain'</c>.
    /// </summary>
    public static string? UnsupportedContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
            return null;
        if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            var type = media.MediaType;
            if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
                return null;
        }
        var shown = contentType.Length > 100 ? contentType[..100] + "…" : contentType;
        return $"Content-Type must be application/json, got '{shown}'";
    }

    /// <summary>The body bytes; or null with <c>TooLarge</c> set when it exceeds <paramref name="maxBytes"/>.</summary>
    public static async Task<(byte[]? Body, bool TooLarge)> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            return (null, true);
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.End);
                return (null, true);
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return (bytes, false);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Parses a body into fields; <paramref name="error"/> names the problem when it returns false.</summary>
    public static bool TryParseFields(ReadOnlyMemory<byte> body, out ClientFields fields, out string? error)
    {
        fields = default;
        if (body.IsEmpty)
        {
            error = "Malformed JSON: the request body is empty";
            return false;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            error = "Malformed JSON: " + e.Message;
            return false;
        }
        using (document)
        {
            try
            {
                return TryReadFields(document.RootElement, out fields, out error);
            }
            catch (InvalidOperationException)
            {
                // JsonDocument checks a string's UTF-8 (and \uD800-style escapes) only when it is read.
                fields = default;
                error = "Malformed JSON: a string is not valid UTF-8 or has an unpaired surrogate escape";
                return false;
            }
        }
    }

    private static bool TryReadFields(JsonElement root, out ClientFields fields, out string? error)
    {
        fields = default;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = $"The request body must be a JSON object, got {root.ValueKind.ToString().ToLowerInvariant()}";
            return false;
        }
        string? clientId = null;
        long? capacity = null;
        double? rate = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                error = $"Duplicate field '{property.Name}'";
                return false;
            }
            var value = property.Value;
            switch (property.Name)
            {
                case "client_id":
                    if (value.ValueKind != JsonValueKind.String || !AdminClientId.IsValid(value.GetString()))
                    {
                        error = value.ValueKind == JsonValueKind.String ? AdminClientId.Explain(value.GetString()) : AdminClientId.Description;
                        return false;
                    }
                    clientId = value.GetString();
                    break;
                case "capacity":
                    if (!TryReadCapacity(value, out var c))
                    {
                        error = $"capacity must be an integer from 1 to {ClientLimits.MaxCapacity}";
                        return false;
                    }
                    capacity = c;
                    break;
                case "rate_per_sec":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var r) || !(r > 0 && r <= ClientLimits.MaxRatePerSec))
                    {
                        error = $"rate_per_sec must be a number greater than 0 and at most {ClientLimits.MaxRatePerSec}";
                        return false;
                    }
                    rate = r;
                    break;
                default:
                    error = $"Unknown field '{property.Name}'; expected client_id, capacity, rate_per_sec";
                    return false;
            }
        }
        fields = new ClientFields(clientId, capacity, rate);
        error = null;
        return true;
    }

    private static bool TryReadCapacity(JsonElement value, out long capacity)
    {
        capacity = 0;
        if (value.ValueKind != JsonValueKind.Number)
            return false;
        if (!value.TryGetInt64(out capacity))
        {
            // Accept integral spellings such as 100.0 or 1e3.
            if (!value.TryGetDouble(out var d) || d != Math.Floor(d) || d is < 1 or > ClientLimits.MaxCapacity)
                return false;
            capacity = (long)d;
        }
        return capacity is >= 1 and <= ClientLimits.MaxCapacity;
    }
}
