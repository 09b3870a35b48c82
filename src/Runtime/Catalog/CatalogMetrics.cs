using System.Diagnostics.Metrics;

namespace Granary.Runtime.Catalog;

/// <summary>
/// The catalog's instruments (meter <c>Granary.Silo</c>): <c>granary.silo.activations.shed</c> (counter,
/// activations deactivated early, by reason <c>max_activations</c> or <c>memory_pressure</c>; on /metrics
/// <c>granary_silo_activations_shed_total</c>), <c>granary.silo.activations.refused</c> (counter, activations
/// refused with <c>overloaded</c> at <see cref="Hosting.SiloOptions.MaxActivations"/>;
/// <c>granary_silo_activations_refused_total</c>), <c>granary.silo.activations.live</c> (gauge, activations
/// counted against the limit) and <c>granary.silo.memory_pressure</c> (gauge, 1 while the last collection
/// pass found the heap above <see cref="Hosting.SiloOptions.MemoryPressureFraction"/>, else 0).
/// </summary>
internal sealed class CatalogMetrics : IDisposable
{
    /// <summary>Reason tag of activations shed because the silo held <see cref="Hosting.SiloOptions.MaxActivations"/>.</summary>
    public const string MaxActivationsReason = "max_activations";

    /// <summary>Reason tag of activations shed under memory pressure.</summary>
    public const string MemoryPressureReason = "memory_pressure";

    private const string MeterName = "Granary.Silo";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _shed;
    private readonly Counter<long> _refused;

    public CatalogMetrics(IMeterFactory? meterFactory, Func<long> live, Func<int> underPressure)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _shed = _meter.CreateCounter<long>("granary.silo.activations.shed", "{activation}",
            "Idle activations deactivated early: reason=max_activations (MaxActivations reached) or memory_pressure (heap above MemoryPressureFraction of available memory).");
        _refused = _meter.CreateCounter<long>("granary.silo.activations.refused", "{activation}",
            "Activations refused with grain-call error 'overloaded' because the silo held MaxActivations and none was idle.");
        _meter.CreateObservableGauge("granary.silo.activations.live", live, "{activation}", "Activations counted against MaxActivations (deactivating ones excluded).");
        _meter.CreateObservableGauge("granary.silo.memory_pressure", underPressure, "1", "1 while the last collection pass found the GC heap above MemoryPressureFraction of available memory, else 0.");
    }

    public void Shed(int count, string reason)
    {
        if (count > 0)
            _shed.Add(count, new KeyValuePair<string, object?>("reason", reason));
    }

    public void Refused() => _refused.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
            _meter.Dispose();
    }
}
