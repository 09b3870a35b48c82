namespace Granary.Grains.Health;

/// <summary>Runs one active health probe against a destination (HTTP GET of its health path).</summary>
public interface IHealthProber
{
    /// <summary>
    /// Probes <paramref name="uri"/>. Expected failures (an error status, refused connection,
    /// timeout) are results, never exceptions; only <paramref name="cancellationToken"/> ending the
    /// probe throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="uri">Absolute URI to GET.</param>
    /// <param name="timeout">Give up after this long and report <c>"timeout after N ms"</c>.</param>
    /// <param name="cancellationToken">Abandons the probe (activation going away).</param>
    Task<ProbeResult> ProbeAsync(Uri uri, TimeSpan timeout, CancellationToken cancellationToken);
}
