namespace Granary.Runtime.Tests.Catalog;

public sealed class ActivationLifecycleTests
{
    private static readonly TimeSpan CollectionInterval = TimeSpan.FromMilliseconds(TestSilo.CollectionIntervalMs);

    [Fact]
    public async Task RegisterTimer_PeriodElapses_TicksRunAsTurns()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("timer");
        await grain.StartTimerAsync(new IntValue(500));

        for (var tick = 1; tick <= 3; tick++)
        {
            silo.Time.Advance(TimeSpan.FromMilliseconds(500));
            var expected = tick;
            await TestSilo.EventuallyAsync(() => Volatile.Read(ref silo.Probe.TimerTicks) == expected, $"tick {expected} ran");
            // Calls interleave with ticks but never overlap them.
            await grain.SlowAsync(new IntValue(tick));
        }

        Assert.Equal(1, silo.Probe.MaxConcurrency);
    }

    [Fact]
    public async Task RegisterTimer_ActivationDeactivated_TimerStops()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("timer");
        await grain.StartTimerAsync(new IntValue(500));
        silo.Time.Advance(TimeSpan.FromMilliseconds(500));
        await TestSilo.EventuallyAsync(() => Volatile.Read(ref silo.Probe.TimerTicks) == 1, "the first tick ran");

        await grain.DeactivateAsync();
        await TestSilo.EventuallyAsync(() => silo.Probe.Deactivations == 1, "the grain deactivated");
        for (var i = 0; i < 5; i++)
            silo.Time.Advance(TimeSpan.FromMilliseconds(500));
        await Task.Delay(50);

        Assert.Equal(1, Volatile.Read(ref silo.Probe.TimerTicks));
        Assert.Equal([DeactivationReason.ApplicationRequested], silo.Probe.DeactivationReasons);
        Assert.Equal(0, silo.Catalog.Count);
    }

    [Fact]
    public async Task Collection_IdleLongerThanTimeout_Deactivates()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("idle");
        await grain.EchoAsync(new IntValue(1));

        silo.Time.Advance(TimeSpan.FromMilliseconds(TestSilo.IdleTimeoutMs) + CollectionInterval);

        await TestSilo.EventuallyAsync(() => silo.Probe.Deactivations == 1, "the idle grain deactivated");
        await TestSilo.EventuallyAsync(() => silo.Catalog.Count == 0, "the activation left the catalog");
        Assert.Equal([DeactivationReason.IdleTimeout], silo.Probe.DeactivationReasons);
        Assert.Equal(2, (await grain.GetInstanceAsync()).Value);
        Assert.Equal(2, silo.Probe.Activations);
    }

    [Fact]
    public async Task Collection_CalledWithinTimeout_StaysActive()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("busy");
        await grain.EchoAsync(new IntValue(1));

        for (var i = 0; i < 5; i++)
        {
            silo.Time.Advance(TimeSpan.FromMilliseconds(TestSilo.IdleTimeoutMs / 2));
            await grain.EchoAsync(new IntValue(i));
        }

        Assert.Equal(0, silo.Probe.Deactivations);
        Assert.Equal(1, (await grain.GetInstanceAsync()).Value);
    }

    [Fact]
    public async Task Collection_TimerTicksOnly_StillDeactivatesIdleGrain()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("ticking");
        await grain.StartTimerAsync(new IntValue(300));

        // Small steps, letting each tick finish, so the collector finds the mailbox empty.
        for (var elapsed = 0; elapsed < 2 * TestSilo.IdleTimeoutMs && silo.Probe.Deactivations == 0; elapsed += 100)
        {
            silo.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(2);
        }

        await TestSilo.EventuallyAsync(() => silo.Probe.Deactivations == 1, "the grain deactivated although its timer ticked");
        Assert.True(Volatile.Read(ref silo.Probe.TimerTicks) > 0);
        Assert.Equal([DeactivationReason.IdleTimeout], silo.Probe.DeactivationReasons);
    }

    [Fact]
    public async Task HandleAsync_CallDuringDeactivation_RunsOnFreshActivationAfterOldFinished()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("racy");
        await grain.EchoAsync(new IntValue(1));
        silo.Probe.DeactivationGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await grain.DeactivateAsync();
        await TestSilo.EventuallyAsync(() => silo.Probe.Events.Contains("deactivating 1"), "deactivation started");
        var call = grain.GetInstanceAsync().AsTask();
        await Task.Delay(20);
        Assert.False(call.IsCompleted, "the new activation must wait for the old one's deactivation");

        silo.Probe.DeactivationGate.SetResult();
        var instance = await call;

        Assert.Equal(2, instance.Value);
        Assert.Equal(["activate 1", "deactivating 1", "deactivated 1", "activate 2"], silo.Probe.Events);
    }

    [Fact]
    public async Task HandleAsync_CallsRacingRepeatedDeactivation_NoCallLost()
    {
        await using var silo = await TestSilo.StartAsync();
        var id = new GrainId(TestGrainDescriptor.GrainType, "churn");
        var grain = silo.Grain("churn");
        using var stop = new CancellationTokenSource();

        // Another thread deactivates whatever activation is current, as fast as it can.
        var churn = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                silo.Catalog.FindActivation(id)?.StartDeactivation(DeactivationReason.ApplicationRequested);
                await Task.Yield();
            }
        });
        var calls = Enumerable.Range(0, 300).Select(i => Task.Run(async () => await grain.EchoAsync(new IntValue(i)))).ToArray();
        var results = await Task.WhenAll(calls);
        stop.Cancel();
        await churn;

        Assert.Equal(Enumerable.Range(0, 300), results.Select(r => r.Value).Order());
        Assert.Equal(1, silo.Probe.MaxConcurrency);
        Assert.True(silo.Probe.Activations >= 1);
    }

    [Fact]
    public async Task Collection_CallArrivesAsIdleDeactivationStarts_CallSucceeds()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("edge");
        await grain.EchoAsync(new IntValue(1));
        silo.Time.Advance(TimeSpan.FromMilliseconds(TestSilo.IdleTimeoutMs));
        silo.Probe.DeactivationGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The collector fires on this thread; the call races it from the pool.
        var call = Task.Run(async () => await grain.EchoAsync(new IntValue(5)));
        silo.Time.Advance(CollectionInterval);
        silo.Probe.DeactivationGate.SetResult();

        Assert.Equal(5, (await call).Value);
    }

    [Fact]
    public async Task StopAsync_CallQueuedBeforeStop_CompletesBeforeDeactivation()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("draining");
        await grain.EchoAsync(new IntValue(0));
        silo.Probe.CallGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queued = grain.SlowAsync(new IntValue(9)).AsTask();

        var stop = silo.StopAsync();
        silo.Probe.CallGate.SetResult();
        await stop;

        Assert.Equal(9, (await queued).Value);
        Assert.Equal([DeactivationReason.ShuttingDown], silo.Probe.DeactivationReasons);
    }
}
