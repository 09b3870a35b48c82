using System.Globalization;
using Granary.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Runtime.Tests.Catalog;

public sealed class TurnLogTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"granary-turns-{Guid.NewGuid():N}", "turns.log");

    [Fact]
    public async Task TurnLog_Calls_OneLinePerTurnWithGrainSiloViewAndTimes()
    {
        await using var silo = await TestSilo.StartAsync(s => s.Configure<SiloOptions>(o => o.TurnLogPath = _path));
        var started = silo.Time.GetUtcNow();
        await silo.Grain("k1").EchoAsync(new IntValue(1));
        await silo.Grain("k1").SlowAsync(new IntValue(2));
        await silo.Grain("k2").EchoAsync(new IntValue(3));

        silo.Catalog.TurnLog!.Flush();
        var lines = File.ReadAllLines(_path);

        Assert.Equal(3, lines.Length);
        var fields = lines.Select(l => l.Split('\t')).ToArray();
        Assert.All(fields, f => Assert.Equal(5, f.Length));
        Assert.Equal(["test/k1", "test/k1", "test/k2"], fields.Select(f => f[0]).ToArray());
        Assert.All(fields, f => Assert.Equal("127.0.0.1:11111@1", f[1]));
        Assert.All(fields, f => Assert.Equal(silo.Catalog.ViewVersion.ToString(CultureInfo.InvariantCulture), f[2]));
        var startMicros = (started.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        Assert.All(fields, f => Assert.True(long.Parse(f[3], CultureInfo.InvariantCulture) >= startMicros && long.Parse(f[4], CultureInfo.InvariantCulture) >= long.Parse(f[3], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task TurnLog_Stop_FlushesEverything()
    {
        var silo = await TestSilo.StartAsync(s => s.Configure<SiloOptions>(o => o.TurnLogPath = _path));
        await silo.Grain("k1").EchoAsync(new IntValue(1));

        await silo.DisposeAsync();

        Assert.Single(File.ReadAllLines(_path));
    }

    [Fact]
    public async Task TurnLog_NotConfigured_Off()
    {
        await using var silo = await TestSilo.StartAsync();

        await silo.Grain("k1").EchoAsync(new IntValue(1));

        Assert.Null(silo.Catalog.TurnLog);
    }

    public void Dispose()
    {
        var directory = Path.GetDirectoryName(_path)!;
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
    }
}
