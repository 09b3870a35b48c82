using System.Diagnostics;

namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>A PostgreSQL server of a test's own (deploy/pg-local.sh), so the test may stop and restart it.</summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _dir = Path.Combine(SearchableTempDirectory(), "data");
    public int Port { get; } = FreePort.Next();
    public string ConnectionString { get; private set; } = "";

    /// <summary>A temp folder the postgres user may enter (the server runs as that user when we are root).</summary>
    private static string SearchableTempDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("granary-pg-");
        if (!OperatingSystem.IsWindows())
            dir.UnixFileMode |= UnixFileMode.GroupExecute | UnixFileMode.GroupRead | UnixFileMode.OtherExecute | UnixFileMode.OtherRead;
        return dir.FullName;
    }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var pg = new PrivatePostgres();
        pg.ConnectionString = (await RunAsync("start", pg._dir, pg.Port.ToString())).Trim();
        return pg;
    }

    public Task StopAsync() => RunAsync("stop", _dir);
    public Task RestartAsync() => RunAsync("start", _dir, Port.ToString());

    private static async Task<string> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RepoLayout.RepoRoot, "deploy", "pg-local.sh"));
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"pg-local.sh {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
