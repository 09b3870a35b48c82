namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Where the build put the hosts: this test assembly lives in
/// <c>artifacts/bin/Granary.EndToEnd.Tests/{config}/</c>, the hosts beside it in
/// <c>artifacts/bin/{AssemblyName}/{config}/</c>.
/// </summary>
internal static class RepoLayout
{
    private static readonly string OwnDirectory = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);

    public static string HostDll(string assemblyName)
    {
        var config = Path.GetFileName(OwnDirectory);
        var bin = Path.GetDirectoryName(Path.GetDirectoryName(OwnDirectory))!;
        var dll = Path.Combine(bin, assemblyName, config, assemblyName + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Host {assemblyName} is not built at {dll}; build the solution first.", dll);
    }

    /// <summary>The repository root, recorded at build time.</summary>
    public static string RepoRoot { get; } = typeof(RepoLayout).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    private static string ArtifactsDirectory => Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(OwnDirectory))!)!;

    public static string TestLogDirectory
    {
        get
        {
            var dir = Path.Combine(ArtifactsDirectory, "test-logs", "processes");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}
