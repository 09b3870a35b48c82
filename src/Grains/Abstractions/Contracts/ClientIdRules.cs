using System.Buffers;

namespace Granary.Grains.Contracts;

/// <summary>
/// What a client id may be, for every process: 1–<see cref="MaxLength"/> characters of
/// <c>[A-Za-z0-9._:@-]</c> (<see cref="Charset"/>; IPv4 and IPv6 remote addresses fit it). The gateway
/// checks <c>X-Client-ID</c> against it (with a maximum length it may lower, <c>Granary:Gateway:Limits:MaxClientIdLength</c>),
/// the silo's admin API and dashboard check <c>client_id</c> and route ids against it.
/// </summary>
public static class ClientIdRules
{
    /// <summary>Longest client id any process accepts, characters: 128.</summary>
    public const int MaxLength = 128;

    /// <summary>The allowed characters, as a regular-expression class.</summary>
    public const string Charset = "[A-Za-z0-9._:@-]";

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-");

    /// <summary>Checks an id (already trimmed, if the caller trims) against the rules with <paramref name="maxLength"/> (1–<see cref="MaxLength"/>).</summary>
    public static ClientIdProblem Check(ReadOnlySpan<char> id, int maxLength = MaxLength)
    {
        if (id.IsEmpty)
            return ClientIdProblem.Empty;
        if (id.Length > maxLength)
            return ClientIdProblem.TooLong;
        return id.ContainsAnyExcept(Allowed) ? ClientIdProblem.InvalidCharacter : ClientIdProblem.None;
    }

    /// <summary>True when <paramref name="id"/> is 1–<see cref="MaxLength"/> characters of <see cref="Charset"/>.</summary>
    public static bool IsValid(string? id) => id is not null && Check(id) == ClientIdProblem.None;

    /// <summary>The rule broken, for an error message: e.g. <c>is longer than 64 characters</c>.</summary>
    public static string Describe(ClientIdProblem problem, int maxLength = MaxLength) => problem switch
    {
        ClientIdProblem.None => "is valid",
        ClientIdProblem.Empty => "is empty",
        ClientIdProblem.TooLong => $"is longer than {maxLength} characters",
        ClientIdProblem.InvalidCharacter => $"has a character outside {Charset}",
        ClientIdProblem.Repeated => "was given more than once",
        _ => "is invalid",
    };

    /// <summary>The metric tag of a problem: <c>empty</c>, <c>too_long</c>, <c>invalid_character</c>, <c>repeated</c> (<c>none</c> for a valid id).</summary>
    public static string Tag(ClientIdProblem problem) => problem switch
    {
        ClientIdProblem.Empty => "empty",
        ClientIdProblem.TooLong => "too_long",
        ClientIdProblem.InvalidCharacter => "invalid_character",
        ClientIdProblem.Repeated => "repeated",
        _ => "none",
    };
}
