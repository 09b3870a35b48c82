using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Granary.Tests.Common;

/// <summary>Raw HTTP and <c>/metrics</c> helpers for tests against a real Kestrel on 127.0.0.1.</summary>
public static class HttpProbe
{
    /// <summary>Sends raw bytes on a fresh connection to <paramref name="server"/>'s port and reads the whole answer (until the server closes; 10 s at most).</summary>
    public static async Task<string> RawAsync(Uri server, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(timeout.Token);
    }

    /// <summary>The value of one series (name and labels exactly as exported) on <paramref name="server"/>'s <c>/metrics</c>; 0 when absent.</summary>
    public static async Task<long> MetricAsync(Uri server, string series)
    {
        using var http = new HttpClient { BaseAddress = server };
        var text = await http.GetStringAsync("/metrics");
        var match = Regex.Match(text, "^" + Regex.Escape(series) + @" (\d+)", RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Polls <see cref="MetricAsync"/> until the series reaches <paramref name="expected"/> (10 s deadline; a scrape refused meanwhile is retried), then asserts it equals it.</summary>
    public static async Task EventuallyMetricAsync(Uri server, string series, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long value = -1;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((value = await MetricAsync(server, series)) >= expected)
                    break;
            }
            catch (HttpRequestException)
            {
                // A connection slot may still be taken.
            }
            await Task.Delay(20);
        }
        Assert.Equal(expected, value);
    }
}
