using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;

namespace Granary.Silo.Admin;

/// <summary>
/// A client as <c>GET /clients/{id}</c> and the dashboard's <c>/api/clients</c> show it: limits from the
/// registry, live bucket from its client grain; or, for a client that is not registered but has a client
/// grain (it sent requests at the default limits), the grain's own limits with null timestamps. When the
/// grain did not answer, the live fields are null and <see cref="Error"/> says why.
/// </summary>
/// <param name="ClientId">The client id.</param>
/// <param name="Capacity">Registered capacity (an unregistered client: the grain's, i.e. the default), tokens.</param>
/// <param name="RatePerSec">Registered refill rate (an unregistered client: the grain's), tokens/s.</param>
/// <param name="Tokens">Tokens in the bucket now.</param>
/// <param name="Admitted">Requests admitted by the grain (kept with the bucket in grain storage).</param>
/// <param name="Rejected">Requests rejected by the grain (kept with the bucket in grain storage).</param>
/// <param name="CreatedAt">When the client was registered; null when it is not.</param>
/// <param name="UpdatedAt">When its registered limits last changed; null when it is not registered.</param>
/// <param name="LimitsSource">Where the grain's limits came from (<c>registry</c>, <c>default</c>), or null.</param>
/// <param name="Error">Why the live fields are missing; null when they are there.</param>
internal sealed record LiveClientView(
    string ClientId,
    long Capacity,
    double RatePerSec,
    double? Tokens,
    long? Admitted,
    long? Rejected,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
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

    /// <summary>A client that is not registered: the grain's limits and live state, no timestamps.</summary>
    public static LiveClientView Unregistered(ClientGrainState state) =>
        new(state.ClientId, state.Capacity, state.RatePerSec, state.Tokens, state.Admitted, state.Rejected, null, null, state.LimitsSource);

    /// <summary>A client that is not registered and whose grain did not answer: the configured default limits, with why.</summary>
    public static LiveClientView UnregisteredUnavailable(string clientId, ClientDefaultsOptions defaults, string error) =>
        new(clientId, defaults.DefaultCapacity, defaults.DefaultRatePerSec, null, null, null, null, null, null, error);

    /// <summary>True when the grain's counters show that the client sent requests (a grain activated only by a read shows none).</summary>
    public static bool WasSeen(ClientGrainState state) => state.Admitted + state.Rejected > 0;
}
