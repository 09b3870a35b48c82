using Granary.Bench.GrainCalls.Echo;
using Granary.Grains.Contracts;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// The grain methods the benchmark calls, by their <c>--targets</c> name. Grain keys are fixed per caller
/// slot (<c>k</c> = caller index, or caller index mod <c>--grains</c>), so a cell's cell warm-up activates
/// exactly the grains it then measures.
/// </summary>
internal static class CallTargets
{
    /// <summary>The bare Orleans echo grain (<see cref="IEchoGrain.EchoAsync"/>, 4-byte argument and answer).</summary>
    public const string Echo = "echo";

    /// <summary><see cref="IClientGrain.TryAcquireAsync"/>(1 token) on client grains whose default bucket never runs dry.</summary>
    public const string ClientAcquire = "client";

    /// <summary><see cref="IBackendGrain.ReportInFlightAsync"/> from one gateway id to backend grains <c>bench/d{k}</c>.</summary>
    public const string BackendInFlight = "backend";

    public static CallTarget Create(string name) => name switch
    {
        Echo => new MethodTarget<EchoValue>(
            Echo,
            "echo (bare Orleans)",
            (factory, k) =>
            {
                var grain = factory.GetGrain<IEchoGrain>($"echo-{k}");
                return i => grain.EchoAsync(new EchoValue(i));
            },
            static (i, answer) => answer.Value == i ? null : $"echo returned {answer.Value}, expected {i}"),
        ClientAcquire => new MethodTarget<RateLimitDecision>(
            ClientAcquire,
            "IClientGrain.TryAcquireAsync",
            (factory, k) =>
            {
                var grain = factory.GetGrain<IClientGrain>($"bench-client-{k}");
                var one = new AcquireTokens(1);
                return _ => grain.TryAcquireAsync(one);
            },
            static (_, decision) => decision.Admitted ? null : $"rejected (remaining {decision.Remaining} of {decision.Limit})"),
        BackendInFlight => new MethodTarget<BackendStatus>(
            BackendInFlight,
            "IBackendGrain.ReportInFlightAsync",
            (factory, k) =>
            {
                var grain = factory.GetGrain<IBackendGrain>(BackendKey.For("bench", $"d{k}"));
                return i => grain.ReportInFlightAsync(new InFlightReport("bench-gateway", i & 63, 30_000));
            },
            // Exact only when one caller owns the grain; with --grains callers share it (each reports 0–63).
            static (_, status) => status.TotalInFlight is >= 0 and < 64 ? null : $"in-flight {status.TotalInFlight}, expected 0–63"),
        _ => throw new ArgumentException($"Unknown target '{name}'.", nameof(name)),
    };
}
