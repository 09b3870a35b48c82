using System.Net;
using System.Net.Sockets;
using Granary.PostgreSql.Hosting;
using Granary.Tests.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Granary.PostgreSql.Tests.Providers;

/// <summary>
/// A class fixture: one Orleans silo on 127.0.0.1, started with <see cref="PostgreSqlSiloBuilderExtensions.UseGranaryPostgreSql"/>
/// on a fresh, NOT pre-migrated database (its own start-up migrates it, then joins the ADO.NET membership table), plus a
/// second ADO.NET storage provider <see cref="DeletingStorageName"/> that deletes rows on clear (the DeleteStorageKey query).
/// </summary>
public sealed class OrleansSiloFixture : IAsyncLifetime
{
    /// <summary>The ServiceId rows are stored under.</summary>
    public const string ServiceId = "granary-storage-tests";

    /// <summary>A second storage on the same tables with <c>DeleteStateOnClear = true</c>.</summary>
    public const string DeletingStorageName = "granary-deleting";

    private TestDatabase? _database;
    private IHost? _silo;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialized.");

    public IServiceProvider Services => (_silo ?? throw new InvalidOperationException("The fixture is not initialized.")).Services;

    /// <summary>Granary's grain storage (the keyed <see cref="IGrainStorage"/> named <see cref="PostgreSqlDefaults.GrainStorageName"/>).</summary>
    public IGrainStorage Storage => Services.GetRequiredKeyedService<IGrainStorage>(PostgreSqlDefaults.GrainStorageName);

    public IGrainStorage DeletingStorage => Services.GetRequiredKeyedService<IGrainStorage>(DeletingStorageName);

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var connectionString = _database.ConnectionString;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseGranaryPostgreSql(connectionString);
            silo.AddAdoNetGrainStorage(DeletingStorageName, (OptionsBuilder<AdoNetGrainStorageOptions> options) =>
                options.Configure<Serializer>((o, serializer) =>
                {
                    o.Invariant = PostgreSqlDefaults.Invariant;
                    o.ConnectionString = connectionString;
                    o.DeleteStateOnClear = true;
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = "storage-tests";
                o.ServiceId = ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
        });
        _silo = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _silo.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _silo.StopAsync(timeout.Token);
            _silo.Dispose();
        }
        if (_database is not null)
            await _database.DisposeAsync();
    }

    /// <summary>A TCP port free on 127.0.0.1 right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
