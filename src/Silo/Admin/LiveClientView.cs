using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;

namespace Granary.Silo.Admin;

/// <summary>
/// A registered client as <c>GET /clients/{id}</c> and the dashboard's <c>/api/clients</c> show it:
/// limits from the registry, live bucket from its client grain. When the grain did not answer, the
/// live fields are null and <see cref="Error"/> says why.
/// </summary>
/// <param name="ClientId">The client id.</param>
/// <param name="Capacity">Registered capacity, tokens.</param>
/// <param name="RatePerSec">Registered refill rate, tokens/s.</param>
/// <param name="Tokens">Tokens in the bucket now.</param>
/// <param name="Admitted">Requests admitted by the grain since activation.</param>
/// <param name="Rejected">Requests rejected by the grain since activation.</param>
/// <param name="CreatedAt">When the client was registered.</param>
/// <param name="UpdatedAt">When its limits last changed.</param>
/// <param name="LimitsSource">Where the grain's limits came from (<c>registry</c>, <c>default</c>), or null.</param>
/// <param name="Error">Why the live fields are missing; null when they are there.</param>
internal sealed record LiveClientView(
    string ClientId,
    long Capacity,
    double RatePerSec,
    double? Tokens,
    long? Admitted,
    long? Rejected,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? LimitsSource,
    string? Error = null)
{
    /// <summary>The registered limits with the grain's live state.</summary>
    public static LiveClientView Live(ClientRecord record, ClientGrainState state) =>
        new(record.ClientId, record.Capacity, record.RatePerSec, state.Tokens, state.Admitted, state.Rejected,
            record.CreatedAt, record.UpdatedAt, state.LimitsSource);

    /// <summary>The registered limits alone, with why the grain did not answer.</summary>
    public static LiveClientView Unavailable(ClientRecord record, string error) =>
        new(record.ClientId, record.Capacity, record.RatePerSec, null, null, null, record.CreatedAt, record.UpdatedAt, null, error);
}
