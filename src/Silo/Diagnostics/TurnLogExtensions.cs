namespace Granary.Silo.Diagnostics;

/// <summary>Registers the per-turn log on a silo.</summary>
internal static class TurnLogExtensions
{
    /// <summary>
    /// Logs every Granary grain call this silo serves to <paramref name="path"/> (see
    /// <see cref="TurnLog"/> for the line format), through an incoming grain-call filter.
    /// </summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="path">The log file (<c>Granary:Silo:TurnLogPath</c>).</param>
    public static ISiloBuilder AddTurnLog(this ISiloBuilder silo, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        silo.Services.AddSingleton(sp => new TurnLog(path, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TurnLog>>()));
        silo.AddIncomingGrainCallFilter<TurnLogFilter>();
        return silo;
    }
}
