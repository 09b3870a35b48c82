using System.Reflection;

namespace Granary.Deploy.Tests;

/// <summary>The repository these tests check, recorded at build time (the build output may live elsewhere).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = typeof(RepoPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public static string ComposeFile => Combine("docker-compose.yml");

    public static string Combine(string relative) => Path.GetFullPath(Path.Combine(Root, relative));

    /// <summary>Repository-relative path with forward slashes.</summary>
    public static string Relative(string full) => Path.GetRelativePath(Root, full).Replace('\\', '/');
}
