namespace Granary.Silo.Tests;

/// <summary>
/// A silo with two admin keys, <see cref="Key"/> (<c>Granary:Silo:AdminKey</c>) and <see cref="SecondKey"/>
/// (<c>Granary:Silo:AdminKeys:0</c>), reads behind the key; its log entries are kept in <see cref="Logs"/>.
/// </summary>
public sealed class AdminKeySiloFixture : SiloFixture
{
    public const string Key = "s3cret-admin-key-number-one";

    public const string SecondKey = "an0ther-admin-key-number-two";

    public ListLoggerProvider Logs { get; } = new();

    protected override IEnumerable<string> ExtraArgs =>
        [$"--Granary:Silo:AdminKey={Key}", $"--Granary:Silo:AdminKeys:0={SecondKey}", "--Granary:Silo:AuthFailureLogsPerSecond=10000"];

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);
}
