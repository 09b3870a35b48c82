namespace Granary.Silo.Api;

/// <summary>A grain of <c>/api/backends</c> that did not answer: its identity and why.</summary>
internal sealed record BackendErrorView(string ClusterId, string DestinationId, string Error);
