using System.Net;
using System.Text;
using System.Text.Json;

namespace Granary.Silo.Tests;

/// <summary>Small helpers: send a raw body, read a JSON answer.</summary>
internal static class HttpJson
{
    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(
        this HttpClient http, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, json, response);
    }

    /// <summary>Asserts the silo's error shape <c>{"code":N,"message":"..."}</c> and returns the message.</summary>
    public static string AssertError(JsonElement body, HttpStatusCode expected)
    {
        Assert.Equal((int)expected, body.GetProperty("code").GetInt32());
        var message = body.GetProperty("message").GetString();
        Assert.False(string.IsNullOrEmpty(message));
        return message!;
    }
}
