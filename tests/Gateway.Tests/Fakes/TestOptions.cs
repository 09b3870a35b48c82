using Granary.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Tests.Fakes;

internal static class TestOptions
{
    public static IOptions<GatewayOptions> Gateway(int probeMs = 1000, int leaseMs = 10_000) =>
        Options.Create(new GatewayOptions { Id = "gw-test", FallbackProbeMs = probeMs, InFlightLeaseMs = leaseMs });

    public static IOptions<RateLimitOptions> RateLimit(long capacity = 2, double rate = 1) =>
        Options.Create(new RateLimitOptions { FallbackCapacity = capacity, FallbackRatePerSec = rate });
}
