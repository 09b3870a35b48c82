using SharedRules = Granary.Grains.Contracts.ClientIdRules;

namespace Granary.Silo.Admin;

/// <summary>
/// The admin API's view of the shared client-id rules (<see cref="SharedRules"/>): 1–128 characters of
/// <c>[A-Za-z0-9._:@-]</c>, the same set the gateway accepts in <c>X-Client-ID</c>.
/// </summary>
internal static class AdminClientId
{
    public const int MaxLength = SharedRules.MaxLength;

    /// <summary>The 400 message for a bad id, naming the whole rule.</summary>
    public static readonly string Description = $"client_id must be 1-{MaxLength} characters of A-Z, a-z, 0-9 and . _ : @ -";

    public static bool IsValid(string? id) => SharedRules.IsValid(id);

    /// <summary>The 400 message for <paramref name="id"/>: the rule it breaks, then the whole rule.</summary>
    public static string Explain(string? id)
    {
        var problem = id is null ? Grains.Contracts.ClientIdProblem.Empty : SharedRules.Check(id);
        return $"client_id {SharedRules.Describe(problem)}: it must be 1-{MaxLength} characters of A-Z, a-z, 0-9 and . _ : @ -";
    }
}
