using Granary.Bench.GrainCalls;

// Usage (see README.md):
//   dotnet run -c Release --project bench/GrainCalls [-- --seconds 5 --warmup 5 --cell-warmup 1 --callers 1,64,1024
//                                                      --targets echo,client,backend --grains 0 --results DIR]
//   dotnet run -c Release --project bench/GrainCalls -- --bdn [BenchmarkDotNet arguments]   (serializer round trips)
//   --role silo --silo-port P --gateway-port G: the silo child the client role starts (not for direct use).
//   --help: the options, from System.CommandLine (BenchOptions).
if (args.Contains("--bdn"))
    return SerializerBenchmarks.Run([.. args.Where(a => a != "--bdn")]);
var options = BenchOptions.Parse(args, out var exitCode);
if (options is null)
    return exitCode;
if (options.Silo is (var siloPort, var gatewayPort))
    return await SiloRole.RunAsync(siloPort, gatewayPort);
return await BenchRunner.RunAsync(options);
