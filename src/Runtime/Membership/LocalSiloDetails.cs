using Granary.Runtime.Hosting;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Membership;

/// <summary>Builds this silo's <see cref="SiloAddress"/> from <see cref="SiloOptions"/> once, when first resolved.</summary>
internal sealed class LocalSiloDetails(IOptions<SiloOptions> options, TimeProvider timeProvider) : ILocalSiloDetails
{
    public SiloAddress SiloAddress { get; } = new(
        options.Value.Host,
        options.Value.GrainPort,
        options.Value.Generation != 0 ? options.Value.Generation : timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
}
