namespace Granary.Silo.Tests;

/// <summary>A silo with an admin key, <c>PublicReads=true</c> and <c>PublicMetrics=false</c>.</summary>
public sealed class PublicReadsSiloFixture : SiloFixture
{
    public const string Key = "public-reads-admin-key-0123";

    protected override IEnumerable<string> ExtraArgs =>
        [$"--Granary:Silo:AdminKey={Key}", "--Granary:Silo:PublicReads=true", "--Granary:Silo:PublicMetrics=false"];
}
