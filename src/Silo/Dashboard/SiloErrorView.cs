namespace Granary.Silo.Dashboard;

/// <summary>A silo that did not answer (<c>errors</c> of <c>/api/backends</c>): its address and why.</summary>
internal sealed record SiloErrorView(string Address, string Error);
