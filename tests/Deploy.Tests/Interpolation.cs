namespace Granary.Deploy.Tests;

/// <summary>
/// Shell-style variable substitution as Docker does it in Dockerfiles and Compose does it in compose files:
/// <c>$NAME</c>, <c>${NAME}</c>, <c>${NAME:-word}</c> / <c>${NAME-word}</c> (default when unset, or empty with the colon),
/// <c>${NAME:+word}</c> / <c>${NAME+word}</c> (word when set), <c>${NAME:?message}</c> / <c>${NAME?message}</c>
/// (an error when unset). Words may hold variables themselves. Escapes: <c>$$</c> in compose files, <c>\$</c> in Dockerfiles.
/// </summary>
internal static class Interpolation
{
    /// <summary>One variable reference met while substituting.</summary>
    /// <param name="Name">The variable.</param>
    /// <param name="Operator">null, or one of <c>:-</c> <c>-</c> <c>:+</c> <c>+</c> <c>:?</c> <c>?</c>.</param>
    /// <param name="Word">The default, alternative or error message after the operator (as written).</param>
    /// <param name="IsSet">Whether the variable had a value.</param>
    internal sealed record Reference(string Name, string? Operator, string? Word, bool IsSet)
    {
        /// <summary>A non-empty default that applies when the variable is unset (<c>${NAME:-word}</c> or <c>${NAME-word}</c>).</summary>
        public bool HasDefault => Operator is ":-" or "-" && !string.IsNullOrEmpty(Word);
    }

    public enum Escapes
    {
        /// <summary><c>$$</c> is a literal <c>$</c> (docker-compose.yml).</summary>
        Compose,

        /// <summary><c>\$</c> is a literal <c>$</c> (Dockerfile).</summary>
        Dockerfile,
    }

    /// <summary>Substitutes every variable of <paramref name="text"/>; <paramref name="lookup"/> returns null for an unset variable.</summary>
    /// <param name="text">The text, as written.</param>
    /// <param name="lookup">A variable's value, or null when it is unset.</param>
    /// <param name="escapes">Which escape writes a literal <c>$</c>.</param>
    /// <param name="references">When given, receives every reference met, in order (those in defaults too).</param>
    /// <exception cref="FormatException">A <c>${NAME:?message}</c> whose variable is unset, or an unterminated <c>${</c>.</exception>
    public static string Substitute(string text, Func<string, string?> lookup, Escapes escapes, List<Reference>? references = null)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (escapes == Escapes.Dockerfile && c == '\\' && i + 1 < text.Length && text[i + 1] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            if (c != '$' || i + 1 >= text.Length)
            {
                sb.Append(c);
                continue;
            }
            var next = text[i + 1];
            if (escapes == Escapes.Compose && next == '$')
            {
                sb.Append('$');
                i++;
            }
            else if (next == '{')
            {
                var end = ClosingBrace(text, i + 2) ?? throw new FormatException($"'{text}': unterminated '${{'.");
                sb.Append(Braced(text[(i + 2)..end], lookup, escapes, references, text));
                i = end;
            }
            else if (IsNameStart(next))
            {
                var end = i + 1;
                while (end < text.Length && IsNameChar(text[end])) end++;
                var name = text[(i + 1)..end];
                var value = lookup(name);
                references?.Add(new Reference(name, null, null, value is not null));
                sb.Append(value ?? "");
                i = end - 1;
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>The variables of <paramref name="text"/>, as if none were set.</summary>
    public static IReadOnlyList<Reference> References(string text, Escapes escapes)
    {
        var references = new List<Reference>();
        try
        {
            Substitute(text, _ => null, escapes, references);
        }
        catch (FormatException)
        {
            // ${NAME:?message}: the reference is recorded before the error.
        }
        return references;
    }

    private static string Braced(string inner, Func<string, string?> lookup, Escapes escapes, List<Reference>? references, string text)
    {
        var n = 0;
        while (n < inner.Length && (n == 0 ? IsNameStart(inner[n]) : IsNameChar(inner[n]))) n++;
        if (n == 0) throw new FormatException($"'{text}': '${{{inner}}}' names no variable.");
        var name = inner[..n];
        var rest = inner[n..];
        var value = lookup(name);
        if (rest.Length == 0)
        {
            references?.Add(new Reference(name, null, null, value is not null));
            return value ?? "";
        }
        var op = rest.StartsWith(':') && rest.Length > 1 ? rest[..2] : rest[..1];
        if (op is not (":-" or "-" or ":+" or "+" or ":?" or "?"))
            throw new FormatException($"'{text}': '${{{inner}}}' uses an unknown operator.");
        var word = rest[op.Length..];
        references?.Add(new Reference(name, op, word, value is not null));
        var unset = op.StartsWith(':') ? string.IsNullOrEmpty(value) : value is null;
        return op switch
        {
            ":-" or "-" => unset ? Substitute(word, lookup, escapes, references) : value!,
            ":+" or "+" => unset ? "" : Substitute(word, lookup, escapes, references),
            _ => unset ? throw new FormatException($"'{text}': {name} is not set ({word}).") : value!,
        };
    }

    private static int? ClosingBrace(string text, int from)
    {
        var depth = 1;
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return i;
        }
        return null;
    }

    private static bool IsNameStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsNameChar(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
}
