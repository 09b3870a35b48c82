namespace Granary.Deploy.Tests;

/// <summary>
/// A Dockerfile split into stages and instructions: comment lines dropped (parser directives kept in
/// <see cref="Directives"/>), backslash continuations joined, global ARGs (before the first FROM) expanded in FROM, and
/// stages that build on an earlier stage given its base image and instructions. Enough for static checks, not a full parser.
/// </summary>
internal sealed class DockerfileModel
{
    private DockerfileModel(
        string path, IReadOnlyDictionary<string, string> directives, IReadOnlyList<DockerInstruction> instructions,
        IReadOnlyDictionary<string, string?> globalArgs, IReadOnlyList<DockerStage> stages)
    {
        Path = path;
        Directives = directives;
        AllInstructions = instructions;
        GlobalArgs = globalArgs;
        Stages = stages;
    }

    public string Path { get; }

    /// <summary>Parser directives (<c># syntax=...</c>, <c># escape=...</c>: comments of that form before anything else), keys lower-case.</summary>
    public IReadOnlyDictionary<string, string> Directives { get; }

    /// <summary>Every instruction in file order, FROMs and global ARGs included.</summary>
    public IReadOnlyList<DockerInstruction> AllInstructions { get; }

    /// <summary>ARGs declared before the first FROM: the build argument given to <see cref="Parse"/>, else the default; null when neither.</summary>
    public IReadOnlyDictionary<string, string?> GlobalArgs { get; }

    /// <summary>The stages in file order, each effective (a stage FROM an earlier one includes that one's instructions).</summary>
    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The image a plain <c>docker build</c> makes: the last stage, effective.</summary>
    public DockerStage Final => Stages[^1];

    /// <summary>The stage named <paramref name="name"/> (case-insensitive, as Docker matches them), or null.</summary>
    public DockerStage? Stage(string name) => Stages.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The image <c>--target <paramref name="target"/></c> makes (<see cref="Final"/> when null).</summary>
    public DockerStage Target(string? target) => target is null
        ? Final
        : Stage(target) ?? throw new KeyNotFoundException($"{Path}: no stage named '{target}'.");

    /// <summary>The stage that runs <c>dotnet publish</c> in its own instructions; null when none.</summary>
    /// <exception cref="FormatException">More than one stage publishes.</exception>
    public DockerStage? PublishStage
    {
        get
        {
            var publishing = Stages.Where(s => s.PublishCommand is not null).ToList();
            return publishing.Count <= 1 ? publishing.SingleOrDefault()
                : throw new FormatException($"{Path}: several stages run dotnet publish: {string.Join(", ", publishing)}.");
        }
    }

    /// <param name="path">The Dockerfile.</param>
    /// <param name="buildArgs">Build arguments (<c>--build-arg</c>, compose's <c>build.args</c>); they override ARG defaults.</param>
    public static DockerfileModel Load(string path, IReadOnlyDictionary<string, string>? buildArgs = null) =>
        Parse(path, File.ReadAllLines(path), buildArgs);

    public static DockerfileModel Parse(string path, IReadOnlyList<string> lines, IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        buildArgs ??= new Dictionary<string, string>();
        var directives = new Dictionary<string, string>(StringComparer.Ordinal);
        var instructions = new List<DockerInstruction>();
        var buffer = new System.Text.StringBuilder();
        var start = 0;
        var directivesOpen = true;
        for (var n = 0; n < lines.Count; n++)
        {
            var line = lines[n].Trim();
            if (directivesOpen && System.Text.RegularExpressions.Regex.Match(line, @"^#\s*(?<key>[A-Za-z]+)\s*=\s*(?<value>.*)$") is { Success: true } d
                && !directives.ContainsKey(d.Groups["key"].Value.ToLowerInvariant()))
            {
                directives[d.Groups["key"].Value.ToLowerInvariant()] = d.Groups["value"].Value.Trim();
                continue;
            }
            directivesOpen = false;
            if (line.StartsWith('#') || (line.Length == 0 && buffer.Length == 0)) continue;
            if (buffer.Length == 0) start = n + 1;
            var continued = line.EndsWith('\\');
            buffer.Append(continued ? line[..^1] : line).Append(' ');
            if (continued) continue;
            var text = buffer.ToString().Trim();
            buffer.Clear();
            if (text.Length == 0) continue;
            var space = text.IndexOfAny([' ', '\t']);
            instructions.Add(space < 0
                ? new DockerInstruction(text.ToUpperInvariant(), "", start)
                : new DockerInstruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim(), start));
        }

        var globalArgs = new Dictionary<string, string?>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        DockerInstruction? from = null;
        var current = new List<DockerInstruction>();

        void EndStage()
        {
            if (from is null) return;
            var operands = from.Operands;
            if (operands.Count == 0) throw new FormatException($"{path}: {from} names no image.");
            var name = operands.Count >= 3 && operands[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? operands[2] : null;
            // FROM sees the global ARGs only; a name of an earlier stage makes this stage build on that one.
            var image = Interpolation.Substitute(operands[0], a => globalArgs.GetValueOrDefault(a), Interpolation.Escapes.Dockerfile);
            var parent = stages.LastOrDefault(s => string.Equals(s.Name, image, StringComparison.OrdinalIgnoreCase));
            stages.Add(new DockerStage(stages.Count, operands[0], parent?.BaseImage ?? image, name, parent, current, globalArgs, buildArgs));
        }

        foreach (var i in instructions)
        {
            if (i.Keyword == "FROM")
            {
                EndStage();
                from = i;
                current = [];
            }
            else if (from is null)
            {
                if (i.Keyword != "ARG") throw new FormatException($"{path}: {i} comes before the first FROM.");
                foreach (var (name, declared) in DockerStage.ParseArg(i))
                    globalArgs[name] = buildArgs.TryGetValue(name, out var given) ? given : declared;
            }
            else
            {
                current.Add(i);
            }
        }
        if (from is null) throw new FormatException($"{path}: no FROM.");
        EndStage();
        return new DockerfileModel(path, directives, instructions, globalArgs, stages);
    }
}
