using Granary.Grains.RateLimiting;

namespace Granary.PostgreSql.Tests.Clients;

/// <summary>The reference registry passes the shared contract (so the contract itself is checked).</summary>
public sealed class InMemoryClientRegistryContractTests : ClientRegistryContractTests
{
    protected override IClientRegistry CreateRegistry() => new InMemoryClientRegistry();
}
