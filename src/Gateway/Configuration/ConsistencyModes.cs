namespace Granary.Gateway.Configuration;

/// <summary>
/// The two consistency modes of shared state, as written in configuration: <c>Exact</c> (every
/// decision and report is a grain call; the default) and <c>Batched</c> (token leases and
/// interval reports; bounded over-admission and staleness). Case-insensitive.
/// </summary>
internal static class ConsistencyModes
{
    /// <summary>One grain call per decision or report.</summary>
    public const string Exact = "Exact";

    /// <summary>Leases and batched reports.</summary>
    public const string Batched = "Batched";

    /// <summary>True for <c>Batched</c>, false for <c>Exact</c> or empty; anything else adds a problem naming <paramref name="key"/>.</summary>
    public static bool Parse(string? value, string key, List<string> problems)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed) || string.Equals(trimmed, Exact, StringComparison.OrdinalIgnoreCase))
            return false;
        if (string.Equals(trimmed, Batched, StringComparison.OrdinalIgnoreCase))
            return true;
        problems.Add($"{key} must be {Exact} or {Batched}, got '{value}'.");
        return false;
    }
}
