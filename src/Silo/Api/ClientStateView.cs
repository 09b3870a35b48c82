using Granary.Grains.Contracts;

namespace Granary.Silo.Api;

/// <summary>A client grain's live state, as <c>/api/grains/client/{id}</c> shows it.</summary>
internal sealed record ClientStateView(string ClientId, long Capacity, double RatePerSec, double Tokens, long Admitted, long Rejected, string LimitsSource)
{
    public static ClientStateView From(ClientGrainState s) => new(s.ClientId, s.Capacity, s.RatePerSec, s.Tokens, s.Admitted, s.Rejected, s.LimitsSource);
}
