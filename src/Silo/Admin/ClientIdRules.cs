namespace Granary.Silo.Admin;

/// <summary>
/// What a client id may be: 1–128 characters of <c>[A-Za-z0-9._:@-]</c> (the same set the
/// gateway accepts in <c>X-Client-ID</c>; IPv4 and IPv6 remote addresses fit it too).
/// </summary>
internal static class ClientIdRules
{
    public const int MaxLength = 128;

    public const string Description = "client_id must be 1-128 characters of A-Z, a-z, 0-9 and . _ : @ -";

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
            return false;
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '@' or '-'))
                return false;
        }
        return true;
    }
}
