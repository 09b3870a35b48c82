using System.Xml.Linq;

namespace Granary.Deploy.Tests;

/// <summary>The few facts of a .csproj the Dockerfile checks need (no MSBuild evaluation: conditions are ignored).</summary>
internal sealed class MsBuildProject
{
    private readonly XDocument _xml;

    private MsBuildProject(string path)
    {
        Path = path;
        _xml = XDocument.Load(path);
    }

    public string Path { get; }

    public string Directory => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary><c>AssemblyName</c>, or the file name without extension (MSBuild's default).</summary>
    public string AssemblyName => _xml.Descendants("AssemblyName").Select(e => e.Value.Trim()).LastOrDefault()
        ?? System.IO.Path.GetFileNameWithoutExtension(Path);

    public IEnumerable<string> ProjectReferences => Includes("ProjectReference").Select(Resolve);

    /// <summary>Files pulled in from outside the project's folder (e.g. <c>../../deploy/sql/*.sql</c>): their full directories.</summary>
    public IEnumerable<string> ExternalItemDirectories => Includes("EmbeddedResource").Concat(Includes("Content")).Concat(Includes("Compile"))
        .Where(i => i.Replace('\\', '/').StartsWith("../", StringComparison.Ordinal))
        .Select(i => System.IO.Path.GetDirectoryName(Resolve(i))!);

    public static MsBuildProject Load(string path) => new(path);

    /// <summary>This project and every project it references, transitively.</summary>
    public IEnumerable<MsBuildProject> Closure()
    {
        var seen = new Dictionary<string, MsBuildProject>(StringComparer.Ordinal);
        var stack = new Stack<MsBuildProject>([this]);
        while (stack.Count > 0)
        {
            var p = stack.Pop();
            if (!seen.TryAdd(p.Path, p)) continue;
            foreach (var r in p.ProjectReferences) stack.Push(Load(r));
        }
        return seen.Values;
    }

    private IEnumerable<string> Includes(string item) =>
        _xml.Descendants(item).Select(e => (string?)e.Attribute("Include")).OfType<string>();

    private string Resolve(string include) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, include.Replace('\\', '/')));
}
