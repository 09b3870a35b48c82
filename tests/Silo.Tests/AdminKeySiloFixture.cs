namespace Granary.Silo.Tests;

/// <summary>A silo with <c>Granary:Silo:AdminKey</c> set to <see cref="Key"/>.</summary>
public sealed class AdminKeySiloFixture : SiloFixture
{
    public const string Key = "s3cret-admin-key";

    protected override IEnumerable<string> ExtraArgs => [$"--Granary:Silo:AdminKey={Key}"];
}
