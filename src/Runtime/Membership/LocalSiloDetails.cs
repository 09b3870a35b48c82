using Granary.Runtime.Hosting;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Membership;

/// <summary>
/// Builds this silo's <see cref="SiloAddress"/> from <see cref="SiloOptions"/> (advertised host, grain
/// port, generation) when first resolved; the membership service moves it to a new generation when
/// the silo rejoins after being declared Dead.
/// </summary>
internal sealed class LocalSiloDetails(IOptions<SiloOptions> options, TimeProvider timeProvider) : ILocalSiloDetails
{
    private SiloAddress _address = new(
        string.IsNullOrWhiteSpace(options.Value.AdvertisedHost) ? options.Value.Host : options.Value.AdvertisedHost,
        options.Value.GrainPort,
        options.Value.Generation != 0 ? options.Value.Generation : timeProvider.GetUtcNow().ToUnixTimeMilliseconds());

    public SiloAddress SiloAddress => Volatile.Read(ref _address);

    public int? HttpPort { get; } = options.Value.HttpPort is > 0 and var port ? port : null;

    /// <summary>Records the incarnation the membership service rejoined as.</summary>
    public void SetAddress(SiloAddress address) => Volatile.Write(ref _address, address);
}
