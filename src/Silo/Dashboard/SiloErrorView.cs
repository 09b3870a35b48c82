namespace Granary.Silo.Dashboard;

/// <summary>A silo that did not answer a fan-out (<c>errors</c> of <c>/api/backends</c>).</summary>
internal sealed record SiloErrorView(string Address, string? HttpUrl, string Error);
