using Granary.Gateway.Diagnostics;
using Granary.Hosting.Http;

namespace Granary.Gateway.Limits;

/// <summary>
/// Wires the HTTP limits of <c>Granary:Gateway:Limits</c> (<see cref="HttpLimitsOptions"/>) into the gateway's Kestrel:
/// request limits on every endpoint, a <see cref="ConnectionLimiter"/> on every endpoint (503 JSON beyond
/// <see cref="HttpLimitsOptions.MaxConcurrentConnections"/>), and a <see cref="KestrelRejectionListener"/> counting
/// Kestrel's own 431/414 rejections in <c>granary_gateway_limit_rejections_total{limit}</c>.
/// </summary>
internal static class GatewayHttpLimits
{
    /// <summary>Registers the limits; call before the host is built.</summary>
    public static void AddGatewayHttpLimits(this WebApplicationBuilder builder, HttpLimitsOptions limits)
    {
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton(sp =>
        {
            var metrics = sp.GetRequiredService<GatewayMetrics>();
            return new ConnectionLimiter(limits.MaxConcurrentConnections, () => metrics.LimitRejected(HttpLimitKinds.Connections));
        });
        builder.Services.AddSingleton(sp =>
        {
            var metrics = sp.GetRequiredService<GatewayMetrics>();
            return new KestrelRejectionListener(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), metrics.LimitRejected);
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ApplyHttpLimits(limits);
            // Listening to Kestrel's meter before the first connection.
            kestrel.ApplicationServices.GetRequiredService<KestrelRejectionListener>();
            var connections = kestrel.ApplicationServices.GetRequiredService<ConnectionLimiter>();
            kestrel.ConfigureEndpointDefaults(listen => connections.Install(listen));
        });
    }
}
