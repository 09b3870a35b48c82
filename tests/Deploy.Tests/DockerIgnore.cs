using System.Text.RegularExpressions;

namespace Granary.Deploy.Tests;

/// <summary>
/// <c>.dockerignore</c> at the build context's root: Go-style globs (<c>*</c>, <c>?</c>, <c>**</c>)
/// matched against repository-relative paths; a path is excluded when it or one of its parent
/// directories matches. Negation (<c>!</c>) is honoured in order, as Docker does.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Negated)> _rules = [];

    private DockerIgnore(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var negated = line.StartsWith('!');
            if (negated) line = line[1..];
            line = line.Trim('/');
            if (line.StartsWith("./", StringComparison.Ordinal)) line = line[2..];
            _rules.Add((new Regex("^" + GlobToRegex(line) + "$", RegexOptions.CultureInvariant), negated));
        }
    }

    public static DockerIgnore Load(string path) => new(File.Exists(path) ? File.ReadAllLines(path) : []);

    public bool IsExcluded(string relativePath)
    {
        var segments = relativePath.Trim('/').Split('/');
        for (var n = 1; n <= segments.Length; n++)
        {
            if (Matches(string.Join('/', segments.Take(n)))) return true;
        }
        return false;
    }

    private bool Matches(string path)
    {
        var excluded = false;
        foreach (var (pattern, negated) in _rules)
        {
            if (pattern.IsMatch(path)) excluded = !negated;
        }
        return excluded;
    }

    private static string GlobToRegex(string glob)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                // "**/" matches any number of directories, including none.
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                sb.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.ToString();
    }
}
