namespace Granary.Silo.Dashboard;

/// <summary>
/// A registered client in <c>/api/clients</c>: limits from the registry, live bucket from its client
/// grain. When the grain did not answer, the live fields are null and <see cref="Error"/> says why.
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
/// <param name="Error">Why the live fields are missing, or null.</param>
internal sealed record ClientRowView(
    string ClientId,
    long Capacity,
    double RatePerSec,
    double? Tokens,
    long? Admitted,
    long? Rejected,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? LimitsSource,
    string? Error);
