namespace Granary.Silo.Api;

/// <summary>One gateway's in-flight contribution to a backend, as <c>/api/backends</c> shows it.</summary>
internal sealed record ContributionView(string GatewayId, int InFlight, long ExpiresInMs);
