using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Granary.PostgreSql.Migrations;

/// <summary>One versioned SQL migration: <c>deploy/sql/V###__name.sql</c>, embedded as resource <c>sql/V###__name.sql</c>.</summary>
/// <param name="Version">The version number (V001 → 1).</param>
/// <param name="Name">The part after <c>__</c>, without <c>.sql</c> (recorded in <c>granary_schema_version.name</c>).</param>
/// <param name="Sql">The script text, run as one command in one transaction.</param>
internal sealed partial record MigrationScript(int Version, string Name, string Sql)
{
    /// <summary>The resource name prefix of embedded migrations.</summary>
    public const string ResourcePrefix = "sql/";

    [GeneratedRegex(@"^V(?<version>[0-9]{3})__(?<name>[a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();

    /// <summary>The embedded migrations of <paramref name="assembly"/> (resources named <c>sql/*</c>), in version order.</summary>
    /// <exception cref="InvalidOperationException">A file name does not match, a version repeats, or versions have a gap.</exception>
    public static IReadOnlyList<MigrationScript> LoadEmbedded(Assembly assembly)
    {
        var files = new List<(string FileName, string Sql)>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            files.Add((resource[ResourcePrefix.Length..], reader.ReadToEnd()));
        }
        return Parse(files);
    }

    /// <summary>
    /// Validates and orders migration files: each name is <c>V</c>, three digits, <c>__</c>, a name of
    /// <c>[a-z0-9_]</c>, <c>.sql</c>; versions start at 1 and have no gaps or repeats.
    /// </summary>
    /// <exception cref="InvalidOperationException">The first problem found, naming the file.</exception>
    public static IReadOnlyList<MigrationScript> Parse(IEnumerable<(string FileName, string Sql)> files)
    {
        var scripts = new List<MigrationScript>();
        foreach (var (fileName, sql) in files)
        {
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException(
                    $"Migration file '{fileName}' is not named V###__name.sql (V, three digits, two underscores, " +
                    "lower-case letters, digits or underscores, .sql); rename it in deploy/sql.");
            }
            var version = int.Parse(match.Groups["version"].ValueSpan, CultureInfo.InvariantCulture);
            if (version == 0)
                throw new InvalidOperationException($"Migration file '{fileName}' has version 0; versions start at V001.");
            scripts.Add(new MigrationScript(version, match.Groups["name"].Value, sql));
        }
        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < scripts.Count; i++)
        {
            var expected = i + 1;
            if (scripts[i].Version == expected)
                continue;
            throw scripts[i].Version < expected
                ? new InvalidOperationException($"Migration version V{scripts[i].Version:D3} appears twice ({scripts[i - 1].Name}, {scripts[i].Name}).")
                : new InvalidOperationException($"Migration versions have a gap: V{expected:D3} is missing before V{scripts[i].Version:D3} ({scripts[i].Name}).");
        }
        return scripts;
    }
}
