using Granary.PostgreSql.Migrations;
using Microsoft.Extensions.Hosting;

namespace Granary.PostgreSql.Hosting;

/// <summary>
/// Runs <see cref="PostgreSqlMigrator"/> in <see cref="StartingAsync"/>, which the host runs for every
/// lifecycle service before any hosted service's <c>StartAsync</c> (Orleans's silo starts in its <c>StartAsync</c>);
/// <see cref="PostgreSqlServiceCollectionExtensions.AddGranaryPostgreSql"/> inserts it before every hosted service
/// registered so far, so it also comes first among the <c>StartingAsync</c> calls. A failure fails host start-up.
/// </summary>
internal sealed class PostgreSqlMigrationService(PostgreSqlMigrator migrator, string connectionString) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(connectionString, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
