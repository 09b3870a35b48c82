using Granary.Grains.Contracts;

namespace Granary.Grains.RateLimiting;

/// <summary>
/// The registered per-client limits: read by client grains on activation, changed by the silo's
/// admin API (<c>/clients</c>). Implementations are thread-safe and each operation is atomic.
/// Expected outcomes (exists, missing) are return values; a throw means the store failed.
/// The registry does not notify grains: after a change the admin API calls the client grain
/// (<see cref="IClientGrain.SetLimitsAsync"/> or <see cref="IClientGrain.ResetLimitsAsync"/>) so the
/// change takes effect at once.
/// </summary>
public interface IClientRegistry
{
    /// <summary>The longest client id a registry accepts: 1024 characters (ids from <c>X-Client-ID</c> are at most <see cref="Contracts.ClientIdRules.MaxLength"/>).</summary>
    const int MaxClientIdLength = 1024;

    /// <summary>The client's record, or null when it is not registered.</summary>
    ValueTask<ClientRecord?> GetAsync(string clientId, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of clients in ordinal order of <see cref="ClientRecord.ClientId"/>: those whose id
    /// sorts strictly after <paramref name="afterId"/> (null: from the start), at most
    /// <paramref name="limit"/> of them. A page shorter than <paramref name="limit"/> is the last.
    /// </summary>
    /// <param name="afterId">The last id of the previous page, or null for the first page.</param>
    /// <param name="limit">Page size, 1–<see cref="MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is out of range.</exception>
    ValueTask<IReadOnlyList<ClientRecord>> ListAsync(string? afterId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// [dash-api] One page of the clients whose id starts with <paramref name="prefix"/> (ordinal,
    /// case-sensitive; null or empty: every client), in ordinal order of id, strictly after
    /// <paramref name="afterId"/> (null: from the first match), at most <paramref name="limit"/> of them.
    /// Cost: O(log n + limit) (an index range scan), never a scan of the whole registry.
    /// </summary>
    /// <param name="prefix">Case-sensitive id prefix, or null/empty for all clients.</param>
    /// <param name="afterId">The last id of the previous page, or null for the first page.</param>
    /// <param name="limit">Page size, 1–<see cref="MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is out of range.</exception>
    ValueTask<IReadOnlyList<ClientRecord>> SearchAsync(string? prefix, string? afterId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// [dash-api] How many clients have an id starting with <paramref name="prefix"/> (null or empty:
    /// all). In memory O(log n); in PostgreSQL an index-only count of the matching range (tens of ms
    /// for 100,000 rows).
    /// </summary>
    ValueTask<long> CountAsync(string? prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Which of <paramref name="clientIds"/> are registered: the subset of them that <see cref="GetAsync"/> would find
    /// (an id that cannot be registered, e.g. too long, is simply not in it). For the dashboard, which must tell the
    /// registered clients among the active client grains without one call per grain. In PostgreSQL one query per
    /// <see cref="MaxIdsPerQuery"/> ids (a primary-key lookup of each); in memory O(k log n).
    /// </summary>
    /// <param name="clientIds">The ids to look up (duplicates allowed; empty: the empty set).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The registered ids among <paramref name="clientIds"/>, compared ordinally.</returns>
    ValueTask<IReadOnlySet<string>> RegisteredAmongAsync(IReadOnlyCollection<string> clientIds, CancellationToken cancellationToken = default);

    /// <summary>Registers a client with the given limits; CreatedAt = UpdatedAt = now.</summary>
    /// <returns>True when created; false when the id is already registered (nothing changes).</returns>
    /// <exception cref="ArgumentException">The id is empty or too long, or the limits are invalid (<see cref="ClientLimits.Validate"/>).</exception>
    ValueTask<bool> CreateAsync(string clientId, ClientLimits limits, CancellationToken cancellationToken = default);

    /// <summary>Replaces a registered client's limits; UpdatedAt = now.</summary>
    /// <returns>True when updated; false when the id is not registered.</returns>
    /// <exception cref="ArgumentException">The limits are invalid (<see cref="ClientLimits.Validate"/>).</exception>
    ValueTask<bool> UpdateAsync(string clientId, ClientLimits limits, CancellationToken cancellationToken = default);

    /// <summary>Removes a client.</summary>
    /// <returns>True when removed; false when the id was not registered.</returns>
    ValueTask<bool> DeleteAsync(string clientId, CancellationToken cancellationToken = default);

    /// <summary>The largest page <see cref="ListAsync"/> accepts: 1000.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The most ids a store looks up in one query of <see cref="RegisteredAmongAsync"/> (more are split into chunks): 1000.</summary>
    public const int MaxIdsPerQuery = 1000;
}
