using System.ComponentModel;
using System.Diagnostics;

namespace Granary.Hosting.Tests.Metrics;

/// <summary>
/// Runs <c>promtool check metrics</c> (Debian package <c>prometheus</c>; test.sh installs it) on a scrape.
/// A missing promtool fails the test: the check is the point.
/// </summary>
internal static class Promtool
{
    /// <summary>The exit code and everything promtool printed (stdout and stderr).</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string scrape)
    {
        var start = new ProcessStartInfo("promtool")
        {
            ArgumentList = { "check", "metrics" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start.");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"promtool is not installed ({e.Message}); install it with: apt-get install -y --no-install-recommends prometheus");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(scrape);
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, (await stdout) + (await stderr));
        }
    }

    /// <summary>Asserts that promtool exits 0 and prints nothing; on failure shows its findings.</summary>
    public static async Task AssertCleanAsync(string scrape)
    {
        var (exitCode, output) = await CheckMetricsAsync(scrape);
        Assert.True(exitCode == 0 && output.Length == 0, $"promtool check metrics: exit {exitCode}, findings:\n{output}");
    }
}
