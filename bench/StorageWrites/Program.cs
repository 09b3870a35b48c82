using System.Diagnostics;
using System.Globalization;
using System.Net;
using Granary.Grains;
using Granary.Grains.Contracts;
using Granary.PostgreSql.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;

// Database writes per second of client buckets with many active clients: one silo (Orleans 10.4.2, Granary's
// grains, ADO.NET grain storage on PostgreSQL through UseGranaryPostgreSql), every client asking for a token
// --rate times a second, and PostgreSQL's own count of inserted and updated rows of granary_orleans_grain_state
// (pg_stat_user_tables) over the measured window. The write-behind bound is 1 / WriteBehindIntervalMs per client.
//
// Usage: dotnet run -c Release --project bench/StorageWrites -- --pg "Host=127.0.0.1;Port=5432;Username=postgres;Database=granary"
//          [--clients 10000] [--rate 2] [--seconds 30] [--warmup 10] [--write-behind-ms 1000]
// --pg defaults to $GRANARY_TEST_PG. The rows it writes use the service id granary-bench and are deleted at the end.
var options = BenchArgs.Parse(args);
var clusterId = $"bench-writes-{Environment.ProcessId}";
const string ServiceId = "granary-bench";

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleans(silo =>
{
    silo.UseGranaryPostgreSql(options.ConnectionString);
    silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
    silo.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = ServiceId; });
    silo.Services.AddGranaryGrains(configurePersistence: p => p.WriteBehindIntervalMs = options.WriteBehindMs);
});
using var host = builder.Build();
Console.WriteLine($"Starting a silo on PostgreSQL (cluster {clusterId}) ...");
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();

var clients = Enumerable.Range(0, options.Clients).Select(i => grains.GetGrain<IClientGrain>($"bench-{i:D6}")).ToArray();
long calls = 0, errors = 0;
using var stop = new CancellationTokenSource();
var round = TimeSpan.FromSeconds(1.0 / options.Rate);
const int Workers = 64;
var loops = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
{
    var mine = clients.Where((_, i) => i % Workers == w).ToArray();
    var next = Stopwatch.GetTimestamp();
    while (!stop.IsCancellationRequested)
    {
        foreach (var client in mine)
        {
            try
            {
                await client.TryAcquireAsync(new AcquireTokens(1));
                Interlocked.Increment(ref calls);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref errors);
            }
        }
        next += (long)(round.TotalSeconds * Stopwatch.Frequency);
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait);
        else
            next = Stopwatch.GetTimestamp(); // behind: do not try to catch up
    }
})).ToArray();

await using var db = NpgsqlDataSource.Create(options.ConnectionString);
Console.WriteLine($"{options.Clients} clients × {options.Rate} calls/s; warm-up {options.Warmup} s, then {options.Seconds} s measured (write-behind {options.WriteBehindMs} ms)");
for (var s = 1; s <= options.Warmup; s++)
{
    await Task.Delay(1000);
    Console.WriteLine($"  warm-up {s,3} s  calls {Interlocked.Read(ref calls),10:N0}  writes so far {await Writes(db),10:N0}");
}
var calls0 = Interlocked.Read(ref calls);
var errors0 = Interlocked.Read(ref errors);
var writes0 = await Writes(db);
var clock = Stopwatch.StartNew();
var perSecond = new List<double>();
var last = writes0;
for (var s = 1; s <= options.Seconds; s++)
{
    await Task.Delay(TimeSpan.FromSeconds(s) - clock.Elapsed);
    var now = await Writes(db);
    perSecond.Add(now - last);
    last = now;
    Console.WriteLine($"  {s,3} s  calls {Interlocked.Read(ref calls) - calls0,10:N0}  grain-state writes {now - writes0,10:N0} (+{perSecond[^1]:N0})");
}
var elapsed = clock.Elapsed.TotalSeconds;
var callsPerSec = (Interlocked.Read(ref calls) - calls0) / elapsed;
var writesPerSec = (last - writes0) / elapsed;
stop.Cancel();
await Task.WhenAll(loops);

Console.WriteLine();
Console.WriteLine("| active clients | calls/s | grain-state writes/s | writes per client per s | bound (1 / write-behind) | failed calls (warm-up / measured) |");
Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {options.Clients:N0} | {callsPerSec:N0} | {writesPerSec:N0} | {writesPerSec / options.Clients:F3} | {1000.0 / options.WriteBehindMs:F3} | {errors0} / {Interlocked.Read(ref errors) - errors0} |"));

await host.StopAsync();
await using (var cleanup = db.CreateCommand("DELETE FROM granary_orleans_grain_state WHERE service_id = $1"))
{
    cleanup.Parameters.AddWithValue(ServiceId);
    await cleanup.ExecuteNonQueryAsync();
}
return 0;

// Rows of granary_orleans_grain_state inserted plus updated since the server's statistics were reset
// (PostgreSQL flushes each backend's counts at most once a second).
static async Task<long> Writes(NpgsqlDataSource db)
{
    await using var command = db.CreateCommand(
        "SELECT coalesce(n_tup_ins + n_tup_upd, 0) FROM pg_stat_user_tables WHERE relname = 'granary_orleans_grain_state'");
    return (long)(await command.ExecuteScalarAsync() ?? 0L);
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

/// <summary>Command-line options; see the usage above.</summary>
internal sealed record BenchArgs(string ConnectionString, int Clients, double Rate, int Seconds, int Warmup, int WriteBehindMs)
{
    public static BenchArgs Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var pg = Value("--pg") ?? Environment.GetEnvironmentVariable("GRANARY_TEST_PG")
            ?? throw new ArgumentException("--pg CONNECTION_STRING (or GRANARY_TEST_PG) is required.");
        return new BenchArgs(pg,
            int.Parse(Value("--clients") ?? "10000", CultureInfo.InvariantCulture),
            double.Parse(Value("--rate") ?? "2", CultureInfo.InvariantCulture),
            int.Parse(Value("--seconds") ?? "30", CultureInfo.InvariantCulture),
            int.Parse(Value("--warmup") ?? "10", CultureInfo.InvariantCulture),
            int.Parse(Value("--write-behind-ms") ?? "1000", CultureInfo.InvariantCulture));
    }
}
