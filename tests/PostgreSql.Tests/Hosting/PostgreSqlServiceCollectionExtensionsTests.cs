using Granary.Grains;
using Granary.Grains.RateLimiting;
using Granary.PostgreSql.Clients;
using Granary.PostgreSql.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;
using Orleans.Storage;

namespace Granary.PostgreSql.Tests.Hosting;

/// <summary>The wiring, checked on built (not started) hosts: nothing here reaches a database.</summary>
public sealed class PostgreSqlServiceCollectionExtensionsTests
{
    private const string ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Database=nowhere";

    [Fact]
    public async Task AddGranaryPostgreSql_AfterOtherHostedServicesAndGrains_MigrationFirstAndPostgreSqlRegistry()
    {
        var services = new ServiceCollection();
        services.AddHostedService<IdleHostedService>();
        services.AddGranaryGrains();
        services.AddGranaryPostgreSql(ConnectionString);
        services.AddGranaryGrains();
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgreSqlMigrationService>(provider.GetServices<IHostedService>().First());
        Assert.IsType<PostgreSqlClientRegistry>(provider.GetRequiredService<IClientRegistry>());
        Assert.Equal("nowhere", provider.GetRequiredService<NpgsqlDataSource>().CreateConnection().Database);
    }

    [Fact]
    public void AddGranaryPostgreSql_Twice_OneMigrationServiceOneRegistry()
    {
        var services = new ServiceCollection();

        services.AddGranaryPostgreSql(ConnectionString);
        services.AddGranaryPostgreSql(ConnectionString);

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(IClientRegistry));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Host=x;NoSuchKeyword=1")]
    public void AddGranaryPostgreSql_BadConnectionString_ThrowsArgument(string connectionString) =>
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddGranaryPostgreSql(connectionString));

    [Fact]
    public void UseGranaryPostgreSql_Silo_OrleansAdoNetProvidersOnNpgsqlAndMigrationBeforeTheSilo()
    {
        using var host = BuildSilo(silo => silo.UseGranaryPostgreSql(ConnectionString));
        var services = host.Services;

        Assert.IsType<AdoNetClusteringTable>(services.GetRequiredService<IMembershipTable>());
        var clustering = services.GetRequiredService<IOptions<AdoNetClusteringSiloOptions>>().Value;
        Assert.Equal("Npgsql", clustering.Invariant);
        Assert.Equal(ConnectionString, clustering.ConnectionString);
        Assert.IsType<AdoNetGrainStorage>(services.GetRequiredKeyedService<IGrainStorage>(PostgreSqlDefaults.GrainStorageName));
        var storage = services.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(PostgreSqlDefaults.GrainStorageName);
        Assert.Equal("Npgsql", storage.Invariant);
        Assert.Equal(ConnectionString, storage.ConnectionString);
        Assert.False(storage.DeleteStateOnClear);
        Assert.IsType<PostgreSqlClientRegistry>(services.GetRequiredService<IClientRegistry>());
        var hosted = services.GetServices<IHostedService>().ToList();
        Assert.IsType<PostgreSqlMigrationService>(hosted[0]);
        Assert.Contains(hosted, h => h.GetType().Name == "SiloHostedService");
    }

    [Fact]
    public void UseGranaryPostgreSql_Storage_OrleansBinarySerializerNotTheNewtonsoftDefault()
    {
        using var host = BuildSilo(silo => silo.UseGranaryPostgreSql(ConnectionString));

        var storage = host.Services.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(PostgreSqlDefaults.GrainStorageName);

        Assert.IsType<OrleansGrainStorageSerializer>(storage.GrainStorageSerializer);
        // What the storage would have used otherwise: the silo-wide default, Newtonsoft.Json with type names.
        Assert.IsType<JsonGrainStorageSerializer>(host.Services.GetRequiredService<IGrainStorageSerializer>());
    }

    [Fact]
    public void UseGranaryPostgreSql_Twice_ConfiguresOnce()
    {
        var services = new List<ServiceDescriptor>();

        using var host = BuildSilo(silo =>
        {
            silo.UseGranaryPostgreSql(ConnectionString);
            silo.UseGranaryPostgreSql(ConnectionString);
            services.AddRange(silo.Services);
        });

        Assert.Single(services, d => d.ServiceType == typeof(IMembershipTable));
        Assert.Single(services, d => d.ServiceType == typeof(PostgreSqlMigrationService));
        Assert.Single(host.Services.GetServices<IHostedService>(), h => h is PostgreSqlMigrationService);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Host=x;NoSuchKeyword=1")]
    public void UseGranaryPostgreSql_BadConnectionString_ThrowsArgument(string connectionString) =>
        Assert.ThrowsAny<ArgumentException>(() => BuildSilo(silo => silo.UseGranaryPostgreSql(connectionString)).Dispose());

    [Fact]
    public void GrainStorageName_IsTheNameGranaryGrainsPersistUnder() =>
        Assert.Equal(GrainStorageNames.Default, PostgreSqlDefaults.GrainStorageName);

    private static IHost BuildSilo(Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(configure);
        return builder.Build();
    }

    private sealed class IdleHostedService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
