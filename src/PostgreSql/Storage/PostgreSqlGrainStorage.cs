using System.Globalization;
using Granary.Runtime.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Granary.PostgreSql.Storage;

/// <summary>
/// <see cref="IGrainStorage"/> and <see cref="IBatchedGrainStorage"/> in PostgreSQL table
/// <c>granary_grain_state(grain_type, grain_key, etag, payload, updated_at)</c> (migration V001).
/// </summary>
/// <remarks>
/// <para><b>Etags</b> are <c>bigint</c> values from sequence <c>granary_grain_etag_seq</c>, rendered
/// as invariant decimal strings. Every write draws a new value, so an etag is never reused, not even
/// after a clear. An etag string that is not such a number matches nothing.</para>
/// <para><b>Compare-and-set</b>, one statement each: a first write (expected etag null) is
/// <c>INSERT … ON CONFLICT DO NOTHING RETURNING etag</c>; a later write is
/// <c>UPDATE … WHERE etag = @expected RETURNING etag</c>; a clear is <c>DELETE … WHERE etag = @expected</c>.
/// No row affected means another writer got there first: <see cref="InconsistentStateException"/>
/// (its <see cref="InconsistentStateException.StoredETag"/> is read just after, for the message).</para>
/// <para><b>Batches</b> (<see cref="WriteManyAsync"/>) are one statement: the items travel as four
/// arrays, <c>unnest</c>ed into an input set that feeds an insert CTE (items without an expected etag)
/// and an update CTE (the others); the result joins both back to every input item.</para>
/// <para><b>Errors</b>: anything but a conflict (database unreachable, dropped, timed out) surfaces as
/// the <see cref="NpgsqlException"/> (or <see cref="PostgresException"/>) Npgsql throws, never as success.</para>
/// <para>Thread-safe: each call borrows a pooled connection from the <see cref="NpgsqlDataSource"/>.</para>
/// </remarks>
/// <param name="dataSource">The pooled data source of the Granary database (migrated to V001 or later).</param>
public sealed class PostgreSqlGrainStorage(NpgsqlDataSource dataSource) : IBatchedGrainStorage
{
    private const string ReadSql =
        "SELECT etag, payload FROM granary_grain_state WHERE grain_type = $1 AND grain_key = $2";

    private const string ReadETagSql =
        "SELECT etag FROM granary_grain_state WHERE grain_type = $1 AND grain_key = $2";

    private const string InsertSql =
        "INSERT INTO granary_grain_state (grain_type, grain_key, etag, payload) " +
        "VALUES ($1, $2, nextval('granary_grain_etag_seq'), $3) " +
        "ON CONFLICT (grain_type, grain_key) DO NOTHING RETURNING etag";

    private const string UpdateSql =
        "UPDATE granary_grain_state SET etag = nextval('granary_grain_etag_seq'), payload = $3, updated_at = now() " +
        "WHERE grain_type = $1 AND grain_key = $2 AND etag = $4 RETURNING etag";

    private const string DeleteSql =
        "DELETE FROM granary_grain_state WHERE grain_type = $1 AND grain_key = $2 AND etag = $3";

    // One round trip for N writes. The main query sees the table as of statement start, so for a
    // refused item cur.etag is the etag that refused it.
    private const string WriteManySql = """
        WITH input AS (
            SELECT t.grain_type, t.grain_key, t.payload, t.expected, t.ord
            FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[]) WITH ORDINALITY AS t(grain_type, grain_key, payload, expected, ord)
        ),
        inserted AS (
            INSERT INTO granary_grain_state (grain_type, grain_key, etag, payload)
            SELECT grain_type, grain_key, nextval('granary_grain_etag_seq'), payload FROM input WHERE expected IS NULL
            ON CONFLICT (grain_type, grain_key) DO NOTHING
            RETURNING grain_type, grain_key, etag
        ),
        updated AS (
            UPDATE granary_grain_state s
            SET etag = nextval('granary_grain_etag_seq'), payload = i.payload, updated_at = now()
            FROM input i
            WHERE i.expected IS NOT NULL AND s.grain_type = i.grain_type AND s.grain_key = i.grain_key AND s.etag = i.expected
            RETURNING s.grain_type, s.grain_key, s.etag
        )
        SELECT i.ord, coalesce(ins.etag, upd.etag) AS new_etag, cur.etag AS stored_etag
        FROM input i
        LEFT JOIN inserted ins ON ins.grain_type = i.grain_type AND ins.grain_key = i.grain_key
        LEFT JOIN updated upd ON upd.grain_type = i.grain_type AND upd.grain_key = i.grain_key
        LEFT JOIN granary_grain_state cur ON cur.grain_type = i.grain_type AND cur.grain_key = i.grain_key
        ORDER BY i.ord
        """;

    /// <summary>Stands for an etag string that is not a number: the sequence never yields it, so it matches no row.</summary>
    private const long UnmatchableETag = -1;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <inheritdoc />
    public async Task<GrainStateRecord> ReadStateAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainType);
        ArgumentNullException.ThrowIfNull(key);
        await using var command = _dataSource.CreateCommand(ReadSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return GrainStateRecord.None;
        var etag = reader.GetInt64(0);
        var payload = reader.GetFieldValue<byte[]>(1);
        return new GrainStateRecord(payload, Format(etag));
    }

    /// <inheritdoc />
    public async Task<string> WriteStateAsync(string grainType, string key, ReadOnlyMemory<byte> payload, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainType);
        ArgumentNullException.ThrowIfNull(key);
        await using var command = _dataSource.CreateCommand(expectedETag is null ? InsertSql : UpdateSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = payload, NpgsqlDbType = NpgsqlDbType.Bytea });
        if (expectedETag is not null)
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Parse(expectedETag) });
        var written = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (written is long etag)
            return Format(etag);
        var stored = await ReadETagAsync(grainType, key, cancellationToken).ConfigureAwait(false);
        throw Conflict("write", grainType, key, stored, expectedETag);
    }

    /// <inheritdoc />
    public async Task ClearStateAsync(string grainType, string key, string? expectedETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainType);
        ArgumentNullException.ThrowIfNull(key);
        if (expectedETag is null)
        {
            // Clearing "nothing stored" succeeds only if nothing is stored.
            var current = await ReadETagAsync(grainType, key, cancellationToken).ConfigureAwait(false);
            if (current is not null)
                throw Conflict("clear", grainType, key, current, expectedETag);
            return;
        }
        await using var command = _dataSource.CreateCommand(DeleteSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Parse(expectedETag) });
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            return;
        var stored = await ReadETagAsync(grainType, key, cancellationToken).ConfigureAwait(false);
        throw Conflict("clear", grainType, key, stored, expectedETag);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GrainWriteResult>> WriteManyAsync(IReadOnlyList<GrainWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
            return [];

        // Send the items in (type, key) order so concurrent batches lock rows in the same order
        // (no deadlock between two overlapping flushes); order[i] is the caller's index of item i.
        var order = new int[writes.Count];
        for (var i = 0; i < order.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(writes[i].GrainType, nameof(writes));
            ArgumentNullException.ThrowIfNull(writes[i].Key, nameof(writes));
            order[i] = i;
        }
        Array.Sort(order, (a, b) => CompareGrains(writes[a], writes[b]));
        var types = new string[order.Length];
        var keys = new string[order.Length];
        var payloads = new byte[order.Length][];
        var expected = new long?[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            var write = writes[order[i]];
            if (i > 0 && CompareGrains(writes[order[i - 1]], write) == 0)
                throw new ArgumentException($"Two writes name grain {write.GrainType}/{write.Key}; a batch holds at most one per grain.", nameof(writes));
            types[i] = write.GrainType;
            keys[i] = write.Key;
            payloads[i] = write.Payload.ToArray();
            expected[i] = write.ExpectedETag is null ? null : Parse(write.ExpectedETag);
        }

        await using var command = _dataSource.CreateCommand(WriteManySql);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = expected, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });

        var results = new GrainWriteResult[writes.Count];
        var seen = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var index = order[checked((int)reader.GetInt64(0)) - 1];
                results[index] = !reader.IsDBNull(1)
                    ? GrainWriteResult.Written(Format(reader.GetInt64(1)))
                    : GrainWriteResult.Conflict(reader.IsDBNull(2) ? null : Format(reader.GetInt64(2)));
                seen++;
            }
        }
        if (seen != writes.Count)
            throw new InvalidOperationException($"The batched write returned {seen} results for {writes.Count} items.");
        return results;
    }

    private async Task<string?> ReadETagAsync(string grainType, string key, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(ReadETagSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long etag ? Format(etag) : null;
    }

    private static int CompareGrains(in GrainWrite a, in GrainWrite b)
    {
        var byType = string.CompareOrdinal(a.GrainType, b.GrainType);
        return byType != 0 ? byType : string.CompareOrdinal(a.Key, b.Key);
    }

    private static string Format(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    private static long Parse(string etag) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : UnmatchableETag;

    private static InconsistentStateException Conflict(string operation, string grainType, string key, string? stored, string? expected) =>
        new($"Cannot {operation} state of {grainType}/{key}: stored etag is '{stored ?? "(none)"}', expected '{expected ?? "(none)"}'.", stored, expected);
}
