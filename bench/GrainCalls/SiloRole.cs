using Granary.Grains;
using Granary.Grains.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// <c>--role silo --silo-port P --gateway-port G</c>: the silo child process. One Orleans silo on
/// 127.0.0.1 (<c>UseLocalhostClustering</c>, memory grain storage <see cref="GrainStorageNames.Default"/>)
/// hosting Granary's grains (client buckets of capacity and rate 10^9, so every acquire is admitted) and
/// the echo grain. It prints <c>READY</c> once it serves, then obeys its standard input line by line:
/// <c>stats</c> prints a <see cref="ProcessSample"/> line; <c>stop</c> or end of input stops the silo and the
/// process (so it never outlives the client that started it). Logs (warnings and up) go to standard error.
/// </summary>
internal static class SiloRole
{
    /// <summary>Orleans ClusterId and ServiceId of the benchmark's cluster.</summary>
    public const string ClusterId = "granary-bench";

    public static async Task<int> RunAsync(int siloPort, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGranaryGrains(defaults =>
        {
            defaults.DefaultCapacity = ClientLimits.MaxCapacity;
            defaults.DefaultRatePerSec = ClientLimits.MaxRatePerSec;
        });
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort, serviceId: ClusterId, clusterId: ClusterId)
            .AddMemoryGrainStorage(GrainStorageNames.Default));
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("READY");

        while (Console.In.ReadLine() is { } line && line != "stop")
        {
            if (line == "stats")
                Console.WriteLine(ProcessSample.Now().Format());
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await host.StopAsync(timeout.Token);
        Console.WriteLine("STOPPED");
        return 0;
    }
}
