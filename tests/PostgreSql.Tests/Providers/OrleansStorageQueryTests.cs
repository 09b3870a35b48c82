using System.Text;
using Granary.Grains.RateLimiting;
using Granary.PostgreSql.Hosting;
using Orleans.Storage;

namespace Granary.PostgreSql.Tests.Providers;

/// <summary>
/// Every grain-storage query key (V004) driven through Orleans's own ADO.NET grain storage, the keyed
/// <see cref="IGrainStorage"/> of a running silo configured by <see cref="PostgreSqlSiloBuilderExtensions.UseGranaryPostgreSql"/>.
/// The state is Granary's real one (<see cref="ClientBucketState"/>). Each test uses grain keys of its own.
/// </summary>
public sealed class OrleansStorageQueryTests(OrleansSiloFixture silo) : IClassFixture<OrleansSiloFixture>
{
    private const string StateName = "bucket";

    [Fact]
    public async Task Silo_StartedOnAnEmptyDatabase_MigratedItFirstThenJoinedAsActive()
    {
        Assert.Equal(5, await silo.Database.ScalarAsync("SELECT max(version) FROM granary_schema_version"));
        var rows = await silo.Database.QueryAsync("SELECT status, proxy_port > 0 FROM granary_orleans_silo WHERE cluster_id = 'storage-tests'");
        var row = Assert.Single(rows);
        Assert.Equal("3", row[0]); // SiloStatus.Active
        Assert.Equal("True", row[1]);
        Assert.True(Convert.ToInt32(await silo.Database.ScalarAsync(
            "SELECT version FROM granary_orleans_cluster WHERE cluster_id = 'storage-tests'")) >= 2); // joined, then became Active
    }

    [Fact]
    public async Task Read_NeverWrittenGrain_NoRecordNoEtagDefaultState()
    {
        var state = new GrainState<ClientBucketState>();

        await silo.Storage.ReadStateAsync(StateName, NewStringKeyGrain(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State?.Admitted ?? 0);
    }

    [Fact]
    public async Task WriteThenRead_AnotherActivation_SeesTheStateAndVersion()
    {
        var grain = NewStringKeyGrain();
        var written = new GrainState<ClientBucketState> { State = new ClientBucketState(7.5, 1_700_000_000_000, 12, 3) };

        await silo.Storage.WriteStateAsync(StateName, grain, written);
        Assert.Equal("1", written.ETag);
        Assert.True(written.RecordExists);
        written.State = written.State with { Admitted = 13 };
        await silo.Storage.WriteStateAsync(StateName, grain, written);
        Assert.Equal("2", written.ETag);

        var read = new GrainState<ClientBucketState>();
        await silo.Storage.ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("2", read.ETag);
        Assert.Equal(new ClientBucketState(7.5, 1_700_000_000_000, 13, 3), read.State);
    }

    [Fact]
    public async Task Write_StaleEtag_ThrowsInconsistentStateAndKeepsTheWinner()
    {
        var grain = NewStringKeyGrain();
        var first = new GrainState<ClientBucketState>();
        var second = new GrainState<ClientBucketState>();
        await silo.Storage.ReadStateAsync(StateName, grain, first);
        await silo.Storage.ReadStateAsync(StateName, grain, second);

        // Both saw no row: the first to write creates it; the other's first write conflicts.
        first.State = new ClientBucketState(1, 1, 1, 0);
        await silo.Storage.WriteStateAsync(StateName, grain, first);
        second.State = new ClientBucketState(2, 2, 2, 0);
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.Storage.WriteStateAsync(StateName, grain, second));

        // An activation holding etag 1 after the row moved to 2 conflicts too.
        var stale = new GrainState<ClientBucketState>();
        await silo.Storage.ReadStateAsync(StateName, grain, stale);
        first.State = new ClientBucketState(3, 3, 3, 0);
        await silo.Storage.WriteStateAsync(StateName, grain, first);
        stale.State = new ClientBucketState(4, 4, 4, 0);
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.Storage.WriteStateAsync(StateName, grain, stale));

        var read = new GrainState<ClientBucketState>();
        await silo.Storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(new ClientBucketState(3, 3, 3, 0), read.State);
        Assert.Equal("2", read.ETag);
    }

    [Fact]
    public async Task Write_ConcurrentFirstWrites_ExactlyOneWins()
    {
        var grain = NewStringKeyGrain();

        var attempts = Enumerable.Range(1, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await silo.Storage.WriteStateAsync(StateName, grain, new GrainState<ClientBucketState> { State = new ClientBucketState(i, i, i, 0) });
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Single(await Task.WhenAll(attempts), won => won);
    }

    [Fact]
    public async Task Clear_CurrentEtag_KeepsRowWithoutPayloadAndNextVersion()
    {
        var grain = NewStringKeyGrain();
        var state = new GrainState<ClientBucketState> { State = new ClientBucketState(5, 5, 5, 5) };
        await silo.Storage.WriteStateAsync(StateName, grain, state);

        await silo.Storage.ClearStateAsync(StateName, grain, state);

        Assert.False(state.RecordExists);
        Assert.Equal("2", state.ETag);
        var read = new GrainState<ClientBucketState>();
        await silo.Storage.ReadStateAsync(StateName, grain, read);
        Assert.False(read.RecordExists);
        Assert.Equal("2", read.ETag);
        Assert.Equal(0, read.State?.Admitted ?? 0);
        // Writing again continues from the cleared version.
        state.State = new ClientBucketState(6, 6, 6, 6);
        await silo.Storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("3", state.ETag);
        Assert.True(state.RecordExists);
    }

    [Fact]
    public async Task Clear_StaleEtag_ThrowsInconsistentStateAndKeepsState()
    {
        var grain = NewStringKeyGrain();
        var owner = new GrainState<ClientBucketState> { State = new ClientBucketState(5, 5, 5, 5) };
        await silo.Storage.WriteStateAsync(StateName, grain, owner);
        var stale = new GrainState<ClientBucketState>();
        await silo.Storage.ReadStateAsync(StateName, grain, stale);
        await silo.Storage.WriteStateAsync(StateName, grain, owner);

        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.Storage.ClearStateAsync(StateName, grain, stale));

        var read = new GrainState<ClientBucketState>();
        await silo.Storage.ReadStateAsync(StateName, grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(new ClientBucketState(5, 5, 5, 5), read.State);
    }

    [Fact]
    public async Task Clear_NeverWrittenGrain_NothingToClear()
    {
        var state = new GrainState<ClientBucketState>();

        await silo.Storage.ClearStateAsync(StateName, NewStringKeyGrain(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
    }

    [Fact]
    public async Task ClearWithDeleteStateOnClear_RowDeletedThenRecreatedAtVersionOne()
    {
        var grain = NewStringKeyGrain();
        var state = new GrainState<ClientBucketState> { State = new ClientBucketState(5, 5, 5, 5) };
        await silo.DeletingStorage.WriteStateAsync(StateName, grain, state);
        var stale = new GrainState<ClientBucketState>();
        await silo.DeletingStorage.ReadStateAsync(StateName, grain, stale);
        await silo.DeletingStorage.WriteStateAsync(StateName, grain, state);
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.DeletingStorage.ClearStateAsync(StateName, grain, stale));

        await silo.DeletingStorage.ClearStateAsync(StateName, grain, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0L, await CountRowsAsync(grain));
        await silo.DeletingStorage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task Keys_IntegerGuidExtensionAndStateName_EachHaveTheirOwnRow()
    {
        var n = Random.Shared.NextInt64(1, long.MaxValue);
        var guid = Guid.NewGuid();
        GrainId[] grains =
        [
            GrainId.Create(GrainType.Create("test"), GrainIdKeyExtensions.CreateIntegerKey(n)),
            GrainId.Create(GrainType.Create("test"), GrainIdKeyExtensions.CreateIntegerKey(n, "ext")),
            GrainId.Create(GrainType.Create("test"), GrainIdKeyExtensions.CreateGuidKey(guid)),
            GrainId.Create(GrainType.Create("test"), GrainIdKeyExtensions.CreateGuidKey(guid, "ext")),
        ];
        for (var i = 0; i < grains.Length; i++)
            await silo.Storage.WriteStateAsync(StateName, grains[i], new GrainState<ClientBucketState> { State = new ClientBucketState(i, i, i, i) });
        await silo.Storage.WriteStateAsync("other-state", grains[0], new GrainState<ClientBucketState> { State = new ClientBucketState(99, 99, 99, 99) });

        for (var i = 0; i < grains.Length; i++)
        {
            var read = new GrainState<ClientBucketState>();
            await silo.Storage.ReadStateAsync(StateName, grains[i], read);
            Assert.Equal(new ClientBucketState(i, i, i, i), read.State);
            Assert.Equal("1", read.ETag);
        }
        var other = new GrainState<ClientBucketState>();
        await silo.Storage.ReadStateAsync("other-state", grains[0], other);
        Assert.Equal(99, other.State?.Admitted);
        // (Orleans gives an empty key extension no '+', so it cannot reach the table; the key function still tells
        // a NULL extension from an empty one.)
        Assert.Equal(true, await silo.Database.ScalarAsync(
            "SELECT granary_orleans_grain_key(1, 2, NULL) <> granary_orleans_grain_key(1, 2, '')"));
    }

    [Fact]
    public async Task Write_LongStringKey_StoredAndReadBack()
    {
        var grain = GrainId.Create("client", "k-" + new string('é', 3000));
        var state = new GrainState<ClientBucketState> { State = new ClientBucketState(1, 2, 3, 4) };

        await silo.Storage.WriteStateAsync(StateName, grain, state);

        var read = new GrainState<ClientBucketState>();
        await silo.Storage.ReadStateAsync(StateName, grain, read);
        Assert.Equal(state.State, read.State);
    }

    [Fact]
    public async Task Payload_IsOrleansBinaryNotJsonWithTypeNames()
    {
        var grain = NewStringKeyGrain();
        await silo.Storage.WriteStateAsync(StateName, grain, new GrainState<ClientBucketState> { State = new ClientBucketState(1, 2, 3, 4) });

        var payload = (byte[])(await silo.Database.ScalarAsync(
            $"SELECT payload FROM granary_orleans_grain_state WHERE service_id = '{OrleansSiloFixture.ServiceId}' AND grain_id_ext = '{grain.Key}'"))!;

        var text = Encoding.UTF8.GetString(payload);
        Assert.NotEqual((byte)'{', payload[0]);
        Assert.DoesNotContain("$type", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Granary.Grains", text, StringComparison.Ordinal);
        Assert.True(payload.Length < 64, $"{payload.Length} bytes: expected Orleans's compact binary encoding");
    }

    private static GrainId NewStringKeyGrain() => GrainId.Create("client", "pg-" + Guid.NewGuid().ToString("N"));

    private async Task<long> CountRowsAsync(GrainId grain) =>
        (long)(await silo.Database.ScalarAsync(
            $"SELECT count(*) FROM granary_orleans_grain_state WHERE service_id = '{OrleansSiloFixture.ServiceId}' AND grain_id_ext = '{grain.Key}'"))!;
}
