using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Granary.Bench.GrainCalls.Echo;
using Granary.Grains.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// <c>--bdn</c>: BenchmarkDotNet round trips (serialize into a reused buffer, deserialize) of the hot
/// messages through Orleans's <see cref="Serializer"/>, the per-message share of a grain call's CPU and
/// allocation. One operation = one value out and back.
/// </summary>
[MemoryDiagnoser]
public class SerializerBenchmarks
{
    private static readonly AcquireTokens Acquire = new(1);
    private static readonly RateLimitDecision Decision = new(true, 100, 99, 0, 1);
    private static readonly InFlightReport Report = new("gateway-0", 12, 30_000);
    private static readonly BackendStatus Status = new(true, true, true, false, 12, 3.5, 1, 123_456, 7);
    private static readonly EchoValue Echo = new(42);

    private readonly byte[] _buffer = new byte[1024];
    private Serializer _serializer = null!;
    private ServiceProvider? _services;

    /// <summary>Runs the benchmarks (in-process toolchain: BenchmarkDotNet's generated projects would build under the repo's warnings-as-errors props).</summary>
    public static int Run(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "granary-bench-graincalls"));
        BenchmarkSwitcher.FromAssembly(typeof(SerializerBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
        return 0;
    }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        _serializer = _services.GetRequiredService<Serializer>();
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark(Baseline = true)]
    public EchoValue EchoValueRoundTrip() => RoundTrip(Echo);

    [Benchmark]
    public AcquireTokens AcquireTokensRoundTrip() => RoundTrip(Acquire);

    [Benchmark]
    public RateLimitDecision RateLimitDecisionRoundTrip() => RoundTrip(Decision);

    [Benchmark]
    public InFlightReport InFlightReportRoundTrip() => RoundTrip(Report);

    [Benchmark]
    public BackendStatus BackendStatusRoundTrip() => RoundTrip(Status);

    private T RoundTrip<T>(T value)
    {
        var length = _serializer.Serialize(value, _buffer);
        return _serializer.Deserialize<T>(_buffer.AsSpan(0, length))!;
    }
}
