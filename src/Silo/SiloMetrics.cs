using System.Diagnostics.Metrics;
using Granary.Grains.Contracts;
using Granary.Runtime.Hosting;

namespace Granary.Silo;

/// <summary>
/// The silo host's own instruments (meter <c>Granary.Silo</c>): live grain activations by type
/// (<c>granary.silo.grain_activations</c>, read at scrape time), admin changes by operation
/// (<c>granary.silo.admin.changes</c>) and failed admin authentications by reason, <c>missing</c> or
/// <c>wrong</c> key (<c>granary.silo.auth.failures</c>, on /metrics as <c>granary_silo_auth_failures_total</c>).
/// </summary>
internal sealed class SiloMetrics
{
    public const string MeterName = "Granary.Silo";

    private readonly Counter<long> _adminChanges;
    private readonly Counter<long> _authFailures;

    public SiloMetrics(IMeterFactory meterFactory, IActivationDirectory directory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("granary.silo.grain_activations", () => new[]
        {
            new Measurement<int>(directory.GetActivations(GrainDescriptors.ClientGrainType).Count, new KeyValuePair<string, object?>("grain_type", GrainDescriptors.ClientGrainType)),
            new Measurement<int>(directory.GetActivations(GrainDescriptors.BackendGrainType).Count, new KeyValuePair<string, object?>("grain_type", GrainDescriptors.BackendGrainType)),
        }, "{activation}", "Live grain activations on this silo, by grain type.");
        _adminChanges = meter.CreateCounter<long>("granary.silo.admin.changes", "{change}", "Client limit changes made through the admin API, by operation.");
        _authFailures = meter.CreateCounter<long>("granary.silo.auth.failures", "{attempt}", "Requests to the silo's HTTP port refused for a missing or wrong admin key, by reason.");
    }

    public void AdminChange(string operation) => _adminChanges.Add(1, new KeyValuePair<string, object?>("operation", operation));

    /// <param name="reason"><c>missing</c> or <c>wrong</c>.</param>
    public void AuthFailure(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
