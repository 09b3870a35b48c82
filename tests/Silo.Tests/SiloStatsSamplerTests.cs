using Granary.Runtime;
using Granary.Runtime.Hosting;
using Granary.Silo.Dashboard;
using Granary.Tests.Common;

namespace Granary.Silo.Tests;

public sealed class SiloStatsSamplerTests
{
    private sealed class FakeDirectory : IActivationDirectory
    {
        public long Calls;

        public int Count => 0;

        public long CallsHandled => Calls;

        public IReadOnlyList<GrainId> GetActivations(string grainType) => [];
    }

    [Fact]
    public void Sample_After2sWith300Calls_Reports150CallsPerSec()
    {
        var time = new ManualTimeProvider();
        var directory = new FakeDirectory { Calls = 1000 };
        var sampler = new SiloStatsSampler(directory, time, () => TimeSpan.Zero);

        directory.Calls += 300;
        time.Advance(TimeSpan.FromSeconds(2));
        sampler.Sample();

        Assert.Equal(150, sampler.Current.GrainCallsPerSec);
    }

    [Fact]
    public void Sample_HalfASecondOfCpuPerSecond_ReportsItAsShareOfAllProcessors()
    {
        var time = new ManualTimeProvider();
        var cpu = TimeSpan.Zero;
        var sampler = new SiloStatsSampler(new FakeDirectory(), time, () => cpu);

        cpu = TimeSpan.FromMilliseconds(500);
        time.Advance(TimeSpan.FromSeconds(1));
        sampler.Sample();

        Assert.Equal(Math.Round(50.0 / Environment.ProcessorCount, 1), sampler.Current.CpuPercent);
        Assert.True(sampler.Current.MemoryMb > 1);
    }

    [Fact]
    public async Task Sample_TimerFiresEverySecond_UpdatesTheRate()
    {
        var time = new ManualTimeProvider();
        var directory = new FakeDirectory();
        var sampler = new SiloStatsSampler(directory, time, () => TimeSpan.Zero);
        await sampler.StartAsync(CancellationToken.None);

        directory.Calls = 42;
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(42, sampler.Current.GrainCallsPerSec);
        sampler.Dispose();
    }
}
