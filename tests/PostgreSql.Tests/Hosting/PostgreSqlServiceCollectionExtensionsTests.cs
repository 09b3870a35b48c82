using Granary.Grains;
using Granary.Grains.RateLimiting;
using Granary.PostgreSql.Clients;
using Granary.PostgreSql.Hosting;
using Granary.PostgreSql.Storage;
using Granary.Runtime.Hosting;
using Granary.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Granary.PostgreSql.Tests.Hosting;

public sealed class PostgreSqlServiceCollectionExtensionsTests
{
    private const string ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Database=nowhere";

    [Fact]
    public async Task AddGranaryPostgreSqlStorage_BeforeSilo_ProvidersAreThePostgreSqlOnesAndMigrationStartsFirst()
    {
        var services = new ServiceCollection();
        services.AddGranaryPostgreSqlStorage(ConnectionString);
        services.AddGranarySilo();
        services.AddGranaryGrains();
        await using var provider = services.BuildServiceProvider();

        var storage = provider.GetRequiredService<IGrainStorage>();

        Assert.IsType<PostgreSqlGrainStorage>(storage);
        Assert.Same(storage, provider.GetRequiredService<IBatchedGrainStorage>());
        Assert.IsType<PostgreSqlClientRegistry>(provider.GetRequiredService<IClientRegistry>());
        Assert.IsType<PostgreSqlMigrationService>(provider.GetServices<IHostedService>().First());
        Assert.Equal("nowhere", provider.GetRequiredService<NpgsqlDataSource>().CreateConnection().Database);
    }

    [Fact]
    public async Task AddGranaryPostgreSqlStorage_AfterSilo_StillReplacesInMemoryProviders()
    {
        var services = new ServiceCollection();
        services.AddGranarySilo();
        services.AddGranaryGrains();
        services.AddGranaryPostgreSqlStorage(ConnectionString);
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<PostgreSqlGrainStorage>(provider.GetRequiredService<IGrainStorage>());
        Assert.IsType<PostgreSqlClientRegistry>(provider.GetRequiredService<IClientRegistry>());
    }

    [Fact]
    public void AddGranaryPostgreSqlStorage_Twice_OneMigrationService()
    {
        var services = new ServiceCollection();

        services.AddGranaryPostgreSqlStorage(ConnectionString);
        services.AddGranaryPostgreSqlStorage(ConnectionString);

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(IGrainStorage));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Host=x;NoSuchKeyword=1")]
    public void AddGranaryPostgreSqlStorage_BadConnectionString_ThrowsArgument(string connectionString) =>
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddGranaryPostgreSqlStorage(connectionString));
}
