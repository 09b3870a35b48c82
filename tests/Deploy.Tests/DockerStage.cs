namespace Granary.Deploy.Tests;

/// <summary>One build stage: <c>FROM image [AS name]</c> and the instructions up to the next FROM.</summary>
internal sealed class DockerStage(string baseImage, string? name, IReadOnlyList<DockerInstruction> instructions)
{
    public string BaseImage { get; } = baseImage;

    public string? Name { get; } = name;

    public IReadOnlyList<DockerInstruction> Instructions { get; } = instructions;

    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    /// <summary>The effective <c>USER</c> (the last one), or null (root) when there is none.</summary>
    public string? User => All("USER").LastOrDefault()?.Operands.FirstOrDefault();

    /// <summary><c>ENV</c> variables in the <c>KEY=VALUE</c> form (and the legacy <c>ENV KEY VALUE</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var i in All("ENV"))
            {
                var tokens = i.Tokens;
                if (tokens.Count > 0 && !tokens[0].Contains('=', StringComparison.Ordinal))
                {
                    env[tokens[0]] = string.Join(' ', tokens.Skip(1));
                    continue;
                }
                foreach (var pair in tokens.Select(t => t.Split('=', 2)))
                    env[pair[0]] = pair.Length > 1 ? pair[1] : "";
            }
            return env;
        }
    }

    public IReadOnlyList<int> ExposedPorts => All("EXPOSE").SelectMany(i => i.Operands)
        .Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>The <c>HEALTHCHECK</c> command (after <c>CMD</c>), or null when none or <c>NONE</c>.</summary>
    public string? HealthcheckCommand
    {
        get
        {
            var h = All("HEALTHCHECK").LastOrDefault();
            if (h is null) return null;
            var operands = h.Operands;
            return operands.Count > 1 && operands[0] == "CMD" ? string.Join(' ', operands.Skip(1)) : null;
        }
    }

    public override string ToString() => Name is null ? BaseImage : $"{BaseImage} AS {Name}";
}
