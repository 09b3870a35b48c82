namespace Granary.Silo.Dashboard;

/// <summary>The grain service behind <see cref="ISiloLoadService"/>: one per silo, reading this silo's <see cref="GrainCallCounter"/>.</summary>
internal sealed class SiloLoadService(GrainId grainId, Orleans.Runtime.Silo silo, ILoggerFactory loggerFactory, GrainCallCounter counter, TimeProvider time)
    : GrainService(grainId, silo, loggerFactory), ISiloLoadService
{
    /// <inheritdoc />
    public ValueTask<SiloLoad> GetLoadAsync() => ValueTask.FromResult(new SiloLoad(counter.Total, time.GetUtcNow().ToUnixTimeMilliseconds()));
}
