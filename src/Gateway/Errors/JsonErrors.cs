using System.Buffers;
using System.Text.Json;

namespace Granary.Gateway.Errors;

/// <summary>Writes the error shape every Granary process uses: <c>{"code":N,"message":"..."}</c>, <c>application/json</c>.</summary>
internal static class JsonErrors
{
    /// <summary>The content type of every error.</summary>
    public const string ContentType = "application/json";

    /// <summary>Renders the JSON body.</summary>
    public static byte[] Render(int code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + message.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Sets the status and content type and writes the body. The response must not have started.</summary>
    public static Task WriteAsync(HttpContext context, int code, string message) => WriteAsync(context, code, Render(code, message));

    /// <summary>Writes a pre-rendered body (see <see cref="Render"/>).</summary>
    public static Task WriteAsync(HttpContext context, int code, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = code;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted);
    }
}
