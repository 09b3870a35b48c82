using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Npgsql;

namespace Granary.PostgreSql.Clients;

/// <summary>
/// <see cref="IClientRegistry"/> in PostgreSQL table <c>granary_client(client_id, capacity, rate_per_sec,
/// created_at, updated_at)</c> (migration V001), shared by every silo. Same semantics as
/// <see cref="InMemoryClientRegistry"/>; each operation is one statement (atomic by itself).
/// </summary>
/// <remarks>
/// Timestamps come from the database clock (<c>now()</c>, the transaction start, microsecond precision),
/// so every silo stamps alike. <c>client_id</c> has collation <c>"C"</c>: the primary key's order is
/// byte order of UTF-8, the ordinal order <see cref="ListAsync"/> pages in (for ids of the admin API's
/// ASCII charset, byte order and .NET ordinal order agree). Database failures surface as
/// <see cref="NpgsqlException"/>; a CHECK violation cannot happen because limits are validated first.
/// </remarks>
/// <param name="dataSource">The pooled data source of the Granary database (migrated to V001 or later).</param>
public sealed class PostgreSqlClientRegistry(NpgsqlDataSource dataSource) : IClientRegistry
{
    private const string Columns = "client_id, capacity, rate_per_sec, created_at, updated_at";

    private const string GetSql = "SELECT " + Columns + " FROM granary_client WHERE client_id = $1";

    private const string ListFirstSql = "SELECT " + Columns + " FROM granary_client ORDER BY client_id LIMIT $1";

    private const string ListAfterSql = "SELECT " + Columns + " FROM granary_client WHERE client_id > $2 ORDER BY client_id LIMIT $1";

    // [dash-api] Prefix search: a range scan of the "C"-collated primary key, [prefix, upper), plus an
    // exact starts_with check (the range alone is exact for ASCII; the check keeps any other id exact).
    private const string SearchSql = "SELECT " + Columns + " FROM granary_client WHERE client_id >= $2 AND client_id < $3 AND client_id > $4 " +
        "AND starts_with(client_id, $2) ORDER BY client_id LIMIT $1";

    private const string SearchUnboundedSql = "SELECT " + Columns + " FROM granary_client WHERE client_id >= $2 AND client_id > $3 " +
        "AND starts_with(client_id, $2) ORDER BY client_id LIMIT $1";

    private const string CountSql = "SELECT count(*) FROM granary_client";

    private const string CountPrefixSql = "SELECT count(*) FROM granary_client WHERE client_id >= $1 AND client_id < $2 AND starts_with(client_id, $1)";

    private const string CountPrefixUnboundedSql = "SELECT count(*) FROM granary_client WHERE client_id >= $1 AND starts_with(client_id, $1)";

    // One index probe per id of the array (the primary key); the array holds at most IClientRegistry.MaxIdsPerQuery ids.
    private const string RegisteredAmongSql = "SELECT client_id FROM granary_client WHERE client_id = ANY($1)";

    private const string CreateSql =
        "INSERT INTO granary_client (" + Columns + ") VALUES ($1, $2, $3, now(), now()) ON CONFLICT (client_id) DO NOTHING";

    private const string UpdateSql =
        "UPDATE granary_client SET capacity = $2, rate_per_sec = $3, updated_at = greatest(now(), created_at) WHERE client_id = $1";

    private const string DeleteSql = "DELETE FROM granary_client WHERE client_id = $1";

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <inheritdoc />
    public async ValueTask<ClientRecord?> GetAsync(string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        if (!IsStorable(clientId))
            return null;
        await using var command = _dataSource.CreateCommand(GetSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clientId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRecord(reader) : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ClientRecord>> ListAsync(string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, IClientRegistry.MaxPageSize);
        await using var command = _dataSource.CreateCommand(afterId is null ? ListFirstSql : ListAfterSql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        if (afterId is not null)
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = BeforeNul(afterId) });
        var page = new List<ClientRecord>(Math.Min(limit, 64));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            page.Add(ReadRecord(reader));
        return page;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ClientRecord>> SearchAsync(string? prefix, string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, IClientRegistry.MaxPageSize);
        if (string.IsNullOrEmpty(prefix))
            return await ListAsync(afterId, limit, cancellationToken).ConfigureAwait(false);
        if (!IsStorable(prefix))
            return [];
        var upper = PrefixUpperBound(prefix);
        await using var command = _dataSource.CreateCommand(upper is null ? SearchUnboundedSql : SearchSql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        if (upper is not null)
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = upper });
        // "After" the empty string is every non-empty id, i.e. no lower bound beyond the prefix.
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = afterId is null ? "" : BeforeNul(afterId) });
        var page = new List<ClientRecord>(Math.Min(limit, 64));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            page.Add(ReadRecord(reader));
        return page;
    }

    /// <inheritdoc />
    public async ValueTask<long> CountAsync(string? prefix, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrEmpty(prefix) && !IsStorable(prefix))
            return 0;
        var upper = string.IsNullOrEmpty(prefix) ? null : PrefixUpperBound(prefix);
        await using var command = _dataSource.CreateCommand(
            string.IsNullOrEmpty(prefix) ? CountSql : upper is null ? CountPrefixUnboundedSql : CountPrefixSql);
        if (!string.IsNullOrEmpty(prefix))
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        if (upper is not null)
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = upper });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// The smallest string sorting (in byte order of UTF-8, collation "C") after every string that starts
    /// with <paramref name="prefix"/>: the prefix with its last character incremented. Null (no upper bound;
    /// the query then relies on <c>starts_with</c> alone) when the last character is U+D7FF or above,
    /// where incrementing it would reach a surrogate (UTF-16 order and UTF-8 byte order disagree there).
    /// </summary>
    private static string? PrefixUpperBound(string prefix)
    {
        var last = prefix[^1];
        if (char.IsSurrogate(last) || last >= '\uD7FF')
            return null;
        return string.Concat(prefix.AsSpan(0, prefix.Length - 1), [(char)(last + 1)]);
    }

    /// <inheritdoc />
    /// <remarks>One query per <see cref="IClientRegistry.MaxIdsPerQuery"/> distinct ids (<c>client_id = ANY($1)</c>), run one after another.</remarks>
    public async ValueTask<IReadOnlySet<string>> RegisteredAmongAsync(IReadOnlyCollection<string> clientIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientIds);
        var registered = new HashSet<string>(StringComparer.Ordinal);
        var candidates = clientIds.Where(static id => id is not null && IsStorable(id)).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var chunk in candidates.Chunk(IClientRegistry.MaxIdsPerQuery))
        {
            await using var command = _dataSource.CreateCommand(RegisteredAmongSql);
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = chunk });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                registered.Add(reader.GetString(0));
        }
        return registered;
    }

    /// <inheritdoc />
    public async ValueTask<bool> CreateAsync(string clientId, ClientLimits limits, CancellationToken cancellationToken = default)
    {
        Validate(clientId, limits);
        await using var command = _dataSource.CreateCommand(CreateSql);
        AddRow(command, clientId, limits);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpdateAsync(string clientId, ClientLimits limits, CancellationToken cancellationToken = default)
    {
        Validate(clientId, limits);
        await using var command = _dataSource.CreateCommand(UpdateSql);
        AddRow(command, clientId, limits);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        if (!IsStorable(clientId))
            return false;
        await using var command = _dataSource.CreateCommand(DeleteSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clientId });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static void AddRow(NpgsqlCommand command, string clientId, ClientLimits limits)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clientId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = limits.Capacity });
        command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = limits.RatePerSec });
    }

    private static ClientRecord ReadRecord(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetInt64(1),
        reader.GetDouble(2),
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetFieldValue<DateTimeOffset>(4));

    /// <summary>PostgreSQL text cannot hold NUL, so no stored id contains one.</summary>
    private static bool IsStorable(string clientId) => !clientId.Contains('\0', StringComparison.Ordinal);

    /// <summary>
    /// For ids without NUL (all stored ones), "sorts after <c>p + NUL + rest</c>" equals "sorts after <c>p</c>",
    /// so cutting at the first NUL keeps <see cref="ListAsync"/> exact for any <c>afterId</c>.
    /// </summary>
    private static string BeforeNul(string id) => id.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0 ? id[..nul] : id;

    private static void Validate(string clientId, ClientLimits limits)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        if (clientId.Length > IClientRegistry.MaxClientIdLength)
            throw new ArgumentException($"The client id is {clientId.Length} characters; the limit is {IClientRegistry.MaxClientIdLength}.", nameof(clientId));
        if (!IsStorable(clientId))
            throw new ArgumentException("The client id contains a NUL character.", nameof(clientId));
        if (limits.Validate() is { } error)
            throw new ArgumentException(error, nameof(limits));
    }
}
