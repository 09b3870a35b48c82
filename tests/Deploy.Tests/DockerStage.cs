namespace Granary.Deploy.Tests;

/// <summary>
/// One build stage, <c>FROM image [AS name]</c>, as an image built with <c>--target</c> at it would be: a stage whose
/// FROM names an earlier stage (<see cref="Parent"/>) inherits that stage's base image and instructions
/// (<see cref="Instructions"/> then holds the parent's followed by its own, <see cref="OwnInstructions"/>).
/// </summary>
internal sealed class DockerStage
{
    private readonly IReadOnlyDictionary<string, string?> _globalArgs;
    private readonly IReadOnlyDictionary<string, string> _buildArgs;

    internal DockerStage(
        int index, string from, string baseImage, string? name, DockerStage? parent, IReadOnlyList<DockerInstruction> own,
        IReadOnlyDictionary<string, string?> globalArgs, IReadOnlyDictionary<string, string> buildArgs)
    {
        Index = index;
        From = from;
        BaseImage = baseImage;
        Name = name;
        Parent = parent;
        OwnInstructions = own;
        Instructions = parent is null ? own : [.. parent.Instructions, .. own];
        _globalArgs = globalArgs;
        _buildArgs = buildArgs;
    }

    /// <summary>0-based position in the Dockerfile.</summary>
    public int Index { get; }

    /// <summary>The FROM operand as written (<c>${RUNTIME_IMAGE}</c>, <c>runtime-base</c>, ...).</summary>
    public string From { get; }

    /// <summary>The image the stage runs on: FROM with the global ARGs expanded, or the parent stage's base image.</summary>
    public string BaseImage { get; }

    public string? Name { get; }

    /// <summary>The earlier stage FROM names, or null when FROM names an image.</summary>
    public DockerStage? Parent { get; }

    /// <summary>The first stage of the <see cref="Parent"/> chain: the one FROM an image.</summary>
    public DockerStage Root => Parent?.Root ?? this;

    /// <summary>When FROM is exactly one variable (<c>${NAME}</c>, <c>$NAME</c>, <c>${NAME:-x}</c>): its name (a build argument).</summary>
    public string? FromArgument =>
        Interpolation.References(From, Interpolation.Escapes.Dockerfile) is [var r]
        && From.Trim() is var f && (f == "$" + r.Name || (f.StartsWith("${" + r.Name, StringComparison.Ordinal) && f.EndsWith('}')))
            ? r.Name
            : null;

    /// <summary>The stage's own instructions (after its FROM).</summary>
    public IReadOnlyList<DockerInstruction> OwnInstructions { get; }

    /// <summary>Effective instructions: the parent's (inherited), then the stage's own.</summary>
    public IReadOnlyList<DockerInstruction> Instructions { get; }

    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    /// <summary>Whether <paramref name="ancestor"/> is this stage or one of its parents.</summary>
    public bool DerivesFrom(DockerStage ancestor)
    {
        for (var s = this; s is not null; s = s.Parent)
        {
            if (ReferenceEquals(s, ancestor)) return true;
        }
        return false;
    }

    /// <summary>
    /// The ARGs visible to <paramref name="at"/> (an effective instruction of this stage) in the stage that declares it, as
    /// the classic builder scopes them: those declared earlier in that stage, valued by a build argument, else the ARG's
    /// default, else (for a bare <c>ARG NAME</c>) the global ARG's value; null when unset. Global ARGs not declared again
    /// in the stage are not visible.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ArgsAt(DockerInstruction at)
    {
        var owner = this;
        while (owner is not null && !owner.OwnInstructions.Contains(at)) owner = owner.Parent;
        if (owner is null) throw new ArgumentException($"{at} is not an instruction of stage {this}.", nameof(at));
        var args = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var i in owner.OwnInstructions.TakeWhile(i => i != at).Where(i => i.Keyword == "ARG"))
        {
            foreach (var (name, declared) in ParseArg(i))
                args[name] = _buildArgs.TryGetValue(name, out var given) ? given : declared ?? _globalArgs.GetValueOrDefault(name);
        }
        return args;
    }

    /// <summary><paramref name="text"/> (an operand of <paramref name="at"/>) with the ARGs of <see cref="ArgsAt"/> substituted.</summary>
    /// <param name="text">An operand of <paramref name="at"/>, as written.</param>
    /// <param name="at">The instruction the text belongs to (its stage's ARGs declared before it apply).</param>
    /// <param name="unset">Receives the variables that had no value (substituted by nothing, as Docker does).</param>
    public string Expand(string text, DockerInstruction at, List<string>? unset = null)
    {
        var args = ArgsAt(at);
        var references = new List<Interpolation.Reference>();
        var value = Interpolation.Substitute(text, n => args.GetValueOrDefault(n), Interpolation.Escapes.Dockerfile, references);
        unset?.AddRange(references.Where(r => !r.IsSet && !r.HasDefault).Select(r => r.Name));
        return value;
    }

    /// <summary>The names and defaults (null when none) an <c>ARG</c> declares.</summary>
    internal static IEnumerable<(string Name, string? Default)> ParseArg(DockerInstruction arg) =>
        arg.Tokens.Select(t => t.Split('=', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : (string?)null));

    /// <summary>The stage's own <c>RUN dotnet publish ...</c> as tokens from <c>dotnet</c> to the end of that command; null when none.</summary>
    public IReadOnlyList<string>? PublishCommand => OwnInstructions.Where(i => i.Keyword == "RUN")
        .Select(r => r.Tokens.ToList())
        .Select(t => (Tokens: t, At: t.IndexOf("publish")))
        .Where(x => x.At > 0 && x.Tokens[x.At - 1] == "dotnet")
        .Select(x => (IReadOnlyList<string>)x.Tokens.Skip(x.At - 1).TakeWhile(t => t is not ("&&" or ";" or "||")).ToList())
        .FirstOrDefault();

    /// <summary>The project <see cref="PublishCommand"/> publishes (its first operand), or null.</summary>
    public string? PublishedProject => PublishCommand?.Skip(2).FirstOrDefault(t => !t.StartsWith('-'));

    /// <summary>The output folder of <see cref="PublishCommand"/> (<c>-o</c> / <c>--output</c>), or null.</summary>
    public string? PublishOutput
    {
        get
        {
            var tokens = PublishCommand;
            if (tokens is null) return null;
            for (var i = 0; i < tokens.Count; i++)
            {
                if (tokens[i] is "-o" or "--output" && i + 1 < tokens.Count) return tokens[i + 1];
                if (tokens[i].StartsWith("--output=", StringComparison.Ordinal)) return tokens[i]["--output=".Length..];
            }
            return null;
        }
    }

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

    public override string ToString() => Name is null ? From : $"{From} AS {Name}";
}
