namespace Granary.Silo.Api;

/// <summary>A client grain of <c>/api/clients</c> that did not answer: its id and why.</summary>
internal sealed record ClientErrorView(string ClientId, string Error);
