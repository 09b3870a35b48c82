using System.Diagnostics.Metrics;
using Granary.Hosting.Http;

namespace Granary.Silo;

/// <summary>
/// The silo host's own instruments (meter <c>Granary.Silo</c>): admin changes by operation
/// (<c>granary.silo.admin.changes</c>), failed admin authentications by reason, <c>missing</c> or
/// <c>wrong</c> key (<c>granary.silo.auth.failures</c>, on /metrics as <c>granary_silo_auth_failures_total</c>),
/// and HTTP requests or connections refused for a limit of <c>Granary:Silo:Limits</c> or the admin body cap, by
/// limit (<c>granary.silo.limit_rejections</c>, <c>granary_silo_limit_rejections_total{limit}</c>). Activations
/// by grain type are Orleans's own (<c>orleans-grains{type}</c> of the <c>Microsoft.Orleans</c> meter).
/// </summary>
internal sealed class SiloMetrics
{
    public const string MeterName = "Granary.Silo";

    private readonly Counter<long> _adminChanges;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _limitRejections;

    public SiloMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _adminChanges = meter.CreateCounter<long>("granary.silo.admin.changes", "{change}", "Client limit changes made through the admin API, by operation.");
        _limitRejections = meter.CreateCounter<long>("granary.silo.limit_rejections", "{request}",
            "HTTP requests or connections refused for a limit, by limit (request_headers_total_size, request_header_count, request_line, request_headers_timeout, request_body, connections).");
        _authFailures = meter.CreateCounter<long>("granary.silo.auth.failures", "{attempt}", "Requests to the silo's HTTP port refused for a missing or wrong admin key, by reason.");
    }

    public void AdminChange(string operation) => _adminChanges.Add(1, new KeyValuePair<string, object?>("operation", operation));

    /// <param name="reason"><c>missing</c> or <c>wrong</c>.</param>
    public void AuthFailure(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Counts a request or connection refused for an HTTP limit (a <see cref="HttpLimitKinds"/> value).</summary>
    public void LimitRejected(string limit) => _limitRejections.Add(1, new KeyValuePair<string, object?>("limit", limit));
}
