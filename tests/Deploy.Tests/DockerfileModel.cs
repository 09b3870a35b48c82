namespace Granary.Deploy.Tests;

/// <summary>
/// A Dockerfile split into stages and instructions: comment lines (and parser directives) dropped,
/// backslash continuations joined. Enough for static checks, not a full BuildKit parser.
/// </summary>
internal sealed class DockerfileModel
{
    private DockerfileModel(string path, IReadOnlyList<DockerStage> stages)
    {
        Path = path;
        Stages = stages;
    }

    public string Path { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The stage the image is made of: the last one.</summary>
    public DockerStage Final => Stages[^1];

    public static DockerfileModel Load(string path) => Parse(path, File.ReadAllLines(path));

    public static DockerfileModel Parse(string path, IReadOnlyList<string> lines)
    {
        var instructions = new List<DockerInstruction>();
        var buffer = new System.Text.StringBuilder();
        var start = 0;
        for (var n = 0; n < lines.Count; n++)
        {
            var line = lines[n].Trim();
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

        var stages = new List<DockerStage>();
        string? image = null, name = null;
        var current = new List<DockerInstruction>();
        foreach (var i in instructions)
        {
            if (i.Keyword == "FROM")
            {
                if (image is not null) stages.Add(new DockerStage(image, name, current));
                var operands = i.Operands;
                image = operands[0];
                name = operands.Count >= 3 && operands[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? operands[2] : null;
                current = [];
            }
            else if (image is null && i.Keyword != "ARG")
            {
                throw new FormatException($"{path}: {i} comes before the first FROM.");
            }
            else
            {
                current.Add(i);
            }
        }
        if (image is null) throw new FormatException($"{path}: no FROM.");
        stages.Add(new DockerStage(image, name, current));
        return new DockerfileModel(path, stages);
    }
}
