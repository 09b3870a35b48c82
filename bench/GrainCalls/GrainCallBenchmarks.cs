using BenchmarkDotNet.Attributes;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// BenchmarkDotNet: one operation = <see cref="CallsPerOperation"/> echo calls issued by <see cref="Callers"/>
/// concurrent loops over the real transport; reported per call (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class GrainCallBenchmarks
{
    /// <summary>Calls per benchmark invocation: divisible by every caller count.</summary>
    public const int CallsPerOperation = 16_384;

    private EchoCluster? _cluster;
    private IEchoGrain[] _grains = [];

    [Params(1, 64, 1024)]
    public int Callers { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _cluster = await EchoCluster.StartAsync();
        _grains = _cluster.Grains(Callers);
        await CallLoops.RunCountAsync(_grains, 4);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_cluster is not null)
            await _cluster.DisposeAsync();
        _cluster = null;
    }

    [Benchmark(OperationsPerInvoke = CallsPerOperation)]
    public Task EchoCall() => CallLoops.RunCountAsync(_grains, CallsPerOperation / Callers);
}
