namespace Granary.Silo.Dashboard;

/// <summary>A silo that did not answer (<c>errors</c> of <c>/api/backends</c> and <c>/api/clients</c>): its address and why.</summary>
internal sealed record SiloErrorView(string Address, string Error)
{
    /// <summary>The silos among <paramref name="lists"/> that did not answer.</summary>
    public static List<SiloErrorView> Of(IEnumerable<SiloActivations> lists) =>
        lists.Where(static l => l.Error is not null).Select(static l => new SiloErrorView(l.Silo.ToParsableString(), l.Error!)).ToList();
}
