namespace Granary.Runtime.Hosting;

/// <summary>
/// A gateway's connection to the silo cluster: a grain factory plus the health of the link,
/// so callers can say when they fall back to local decisions.
/// </summary>
public interface IClusterClient : IGrainFactory
{
    /// <summary>True when at least one silo connection is open.</summary>
    bool IsConnected { get; }

    /// <summary>Calls that failed for lack of an answer (deadline, no silo) since start.</summary>
    long FailedCalls { get; }

    /// <summary>Calls sent since start (two-way and one-way).</summary>
    long SentCalls { get; }
}
