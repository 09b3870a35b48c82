using System.Diagnostics;

namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>Poll-with-deadline: the only way these tests wait.</summary>
internal static class Poll
{
    /// <summary>Calls <paramref name="probe"/> every <paramref name="intervalMs"/> until it returns true; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> probe, TimeSpan timeout, string what, int intervalMs = 50)
    {
        var sw = Stopwatch.StartNew();
        Exception? last = null;
        while (sw.Elapsed < timeout)
        {
            try
            {
                if (await probe())
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or System.Text.Json.JsonException)
            {
                last = e;
            }
            await Task.Delay(intervalMs);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}." + (last is null ? "" : $" Last error: {last.Message}"));
    }
}
