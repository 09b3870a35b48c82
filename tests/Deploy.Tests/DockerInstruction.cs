namespace Granary.Deploy.Tests;

/// <summary>One Dockerfile instruction, continuation lines joined.</summary>
/// <param name="Keyword">Upper-case keyword (FROM, COPY, ...).</param>
/// <param name="Arguments">Everything after the keyword.</param>
/// <param name="Line">1-based line where it starts.</param>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line)
{
    /// <summary>Arguments split on whitespace, honouring double quotes; the JSON array form yields its elements.</summary>
    public IReadOnlyList<string> Tokens => Tokenize(Arguments);

    /// <summary>Whether the arguments are the JSON array (exec) form, which has no flags.</summary>
    public bool IsExecForm => Arguments.TrimStart().StartsWith('[');

    /// <summary>Leading <c>--flag=value</c> options (none in the exec form: <c>CMD ["--port", "1"]</c> are arguments).</summary>
    public IReadOnlyDictionary<string, string> Flags => (IsExecForm ? [] : Tokens.TakeWhile(t => t.StartsWith("--", StringComparison.Ordinal)))
        .Select(t => t[2..].Split('=', 2))
        .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);

    /// <summary>Tokens after the leading flags.</summary>
    public IReadOnlyList<string> Operands => IsExecForm ? Tokens : Tokens.SkipWhile(t => t.StartsWith("--", StringComparison.Ordinal)).ToList();

    public override string ToString() => $"line {Line}: {Keyword} {Arguments}";

    internal static List<string> Tokenize(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
            return System.Text.Json.JsonSerializer.Deserialize<List<string>>(trimmed) ?? [];
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        var inQuotes = false;
        var any = false;
        foreach (var c in trimmed)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !inQuotes)
            {
                if (any) tokens.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }
        if (any) tokens.Add(current.ToString());
        return tokens;
    }
}
