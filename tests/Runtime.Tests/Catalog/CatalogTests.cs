using System.Buffers;
using System.Text;
using Granary.Runtime.Invocation;
using Granary.Runtime.Membership;
using Granary.Runtime.Messaging;
using Granary.Runtime.Placement;
using Granary.Runtime.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Runtime.Tests.Catalog;

public sealed class CatalogTests
{
    [Fact]
    public async Task HandleAsync_FirstCall_ActivatesOnceAndReusesActivation()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("a");

        var first = await grain.GetInstanceAsync();
        var second = await grain.GetInstanceAsync();

        Assert.Equal(first, second);
        Assert.Equal(1, silo.Probe.Activations);
        Assert.Equal(1, silo.Catalog.Count);
        Assert.Equal([new GrainId(TestGrainDescriptor.GrainType, "a")], silo.Catalog.GetActivations(TestGrainDescriptor.GrainType));
    }

    [Fact]
    public async Task HandleAsync_ConcurrentCalls_NeverOverlapInsideGrain()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("busy");

        var calls = Enumerable.Range(0, 200).Select(i => Task.Run(async () => await grain.SlowAsync(new IntValue(i)))).ToArray();
        var results = await Task.WhenAll(calls);

        Assert.Equal(1, silo.Probe.MaxConcurrency);
        Assert.Equal(200, silo.Probe.Order.Count);
        Assert.Equal(Enumerable.Range(0, 200), results.Select(r => r.Value).Order());
    }

    [Fact]
    public async Task HandleAsync_QueuedCalls_RunInArrivalOrder()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("ordered");
        await grain.EchoAsync(new IntValue(0)); // activate
        silo.Probe.CallGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each call is queued synchronously by HandleAsync, so issue order is arrival order.
        var calls = Enumerable.Range(0, 50).Select(i => grain.SlowAsync(new IntValue(i)).AsTask()).ToList();
        silo.Probe.CallGate.SetResult();
        await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 50), silo.Probe.Order);
        Assert.Equal(1, silo.Probe.MaxConcurrency);
    }

    [Fact]
    public async Task HandleAsync_ActivationFails_FailsWaitingCallsAndNextCallRetries()
    {
        await using var silo = await TestSilo.StartAsync();
        silo.Probe.FailActivations = 1;
        var grain = silo.Grain("fragile");

        var error = await Assert.ThrowsAsync<GrainCallException>(async () => await grain.EchoAsync(new IntValue(1)));
        Assert.Equal("grain_error", error.Code);
        Assert.Contains("activation failed on purpose", error.Message);
        await TestSilo.EventuallyAsync(() => silo.Catalog.Count == 0, "the failed activation is discarded");

        var echoed = await grain.EchoAsync(new IntValue(2));

        Assert.Equal(2, echoed.Value);
        Assert.Equal(1, silo.Probe.Activations);
        Assert.Equal(2, (await grain.GetInstanceAsync()).Value);
    }

    [Fact]
    public async Task HandleAsync_UnknownGrainType_UnknownGrainTypeOutcome()
    {
        await using var silo = await TestSilo.StartAsync();

        var (outcome, _) = await silo.CallRawAsync(new GrainId("nope", "a"), 1, []);

        Assert.Equal(CallOutcomeKind.Error, outcome.Kind);
        Assert.Equal("unknown_grain_type", outcome.Error.Code);
    }

    [Fact]
    public async Task HandleAsync_UnknownMethod_UnknownMethodOutcome()
    {
        await using var silo = await TestSilo.StartAsync();

        var (outcome, _) = await silo.CallRawAsync(new GrainId(TestGrainDescriptor.GrainType, "a"), 999, []);

        Assert.Equal(CallOutcomeKind.Error, outcome.Kind);
        Assert.Equal("unknown_method", outcome.Error.Code);
    }

    [Fact]
    public async Task HandleAsync_TruncatedArguments_BadRequestOutcome()
    {
        await using var silo = await TestSilo.StartAsync();

        var (outcome, _) = await silo.CallRawAsync(new GrainId(TestGrainDescriptor.GrainType, "a"), TestGrainMethods.Echo, [1, 2]);

        Assert.Equal(CallOutcomeKind.Error, outcome.Kind);
        Assert.Equal("bad_request", outcome.Error.Code);
    }

    [Fact]
    public async Task HandleAsync_GrainThrows_GrainErrorOutcomeAndActivationSurvives()
    {
        await using var silo = await TestSilo.StartAsync();
        var id = new GrainId(TestGrainDescriptor.GrainType, "thrower");

        var (outcome, _) = await silo.CallRawAsync(id, TestGrainMethods.Throw, []);
        var (ok, result) = await silo.CallRawAsync(id, TestGrainMethods.Echo, TestSilo.Encode(new IntValue(7)));

        Assert.Equal(CallOutcomeKind.Error, outcome.Kind);
        Assert.Equal("grain_error", outcome.Error.Code);
        Assert.Contains("boom", outcome.Error.Message);
        Assert.Equal(CallOutcomeKind.Ok, ok.Kind);
        Assert.Equal(TestSilo.Encode(new IntValue(7)), result);
        Assert.Equal(1, silo.Probe.Activations);
    }

    [Fact]
    public async Task Invoke_GrainThrows_GrainCallExceptionWithGrainError()
    {
        await using var silo = await TestSilo.StartAsync();

        var error = await Assert.ThrowsAsync<GrainCallException>(async () => await silo.Grain("x").ThrowAsync());

        Assert.Equal("grain_error", error.Code);
    }

    [Fact]
    public async Task HandleAsync_GrainOwnedByAnotherSilo_RedirectsToOwner()
    {
        var self = new SiloAddress("127.0.0.1", 11111, 1);
        var other = new SiloAddress("127.0.0.1", 11112, 1);
        var view = new MembershipView(3, [self, other]);
        await using var silo = await TestSilo.StartAsync(s => s.AddSingleton<IMembershipViewProvider>(new StaticViewProvider(view)));
        var foreign = Enumerable.Range(0, 100).Select(i => new GrainId(TestGrainDescriptor.GrainType, $"k{i}"))
            .First(id => RendezvousPlacement.SelectOwner(id, [self, other]) == other);
        var local = Enumerable.Range(0, 100).Select(i => new GrainId(TestGrainDescriptor.GrainType, $"k{i}"))
            .First(id => RendezvousPlacement.SelectOwner(id, [self, other]) == self);

        var (redirect, _) = await silo.CallRawAsync(foreign, TestGrainMethods.Echo, TestSilo.Encode(new IntValue(1)));
        var (ok, _) = await silo.CallRawAsync(local, TestGrainMethods.Echo, TestSilo.Encode(new IntValue(1)));

        Assert.Equal(CallOutcome.Redirect(other.Endpoint), redirect);
        Assert.Equal(CallOutcomeKind.Ok, ok.Kind);
        Assert.Equal(3, silo.Catalog.ViewVersion);
        Assert.Null(silo.Catalog.FindActivation(foreign));
    }

    [Fact]
    public async Task LocalInvoker_NotOwner_ThrowsNotOwner()
    {
        var other = new SiloAddress("127.0.0.1", 11112, 1);
        await using var silo = await TestSilo.StartAsync(s => s.AddSingleton<IMembershipViewProvider>(new StaticViewProvider(new MembershipView(1, [other]))));
        var local = silo.Services.GetRequiredService<Runtime.Catalog.LocalGrainCallInvoker>();

        var error = await Assert.ThrowsAsync<GrainCallException>(async () =>
            await local.InvokeAsync<IntValue, IntValue>(new GrainId(TestGrainDescriptor.GrainType, "a"), TestGrainMethods.Echo, new IntValue(1)));

        Assert.Equal("not_owner", error.Code);
        Assert.Contains(other.Endpoint, error.Message);
    }

    [Fact]
    public async Task HandleAsync_EmptyView_RedirectsWithUnknownOwner()
    {
        await using var silo = await TestSilo.StartAsync(s => s.AddSingleton<IMembershipViewProvider>(new StaticViewProvider(MembershipView.Empty)));

        var (outcome, _) = await silo.CallRawAsync(new GrainId(TestGrainDescriptor.GrainType, "a"), TestGrainMethods.Echo, TestSilo.Encode(new IntValue(1)));

        Assert.Equal(CallOutcome.Redirect(null), outcome);
    }

    [Fact]
    public async Task LocalInvoker_NoAnswerBeforeDeadline_ThrowsTimeout()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("stuck");
        await grain.EchoAsync(new IntValue(0));
        silo.Probe.CallGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = grain.SlowAsync(new IntValue(1)).AsTask();
        silo.Time.Advance(TimeSpan.FromMilliseconds(TestSilo.LocalCallTimeoutMs + 1));

        await Assert.ThrowsAsync<TimeoutException>(() => call);
        silo.Probe.CallGate.SetResult();
    }

    [Fact]
    public async Task StopAsync_LiveActivations_DeactivatedWithShuttingDownAndNewCallsRefused()
    {
        await using var silo = await TestSilo.StartAsync();
        await silo.Grain("a").EchoAsync(new IntValue(1));
        await silo.Grain("b").EchoAsync(new IntValue(1));

        await silo.StopAsync();
        var (outcome, _) = await silo.CallRawAsync(new GrainId(TestGrainDescriptor.GrainType, "a"), TestGrainMethods.Echo, TestSilo.Encode(new IntValue(1)));

        Assert.Equal(2, silo.Probe.Deactivations);
        Assert.All(silo.Probe.DeactivationReasons, r => Assert.Equal(DeactivationReason.ShuttingDown, r));
        Assert.Equal(0, silo.Catalog.Count);
        Assert.Equal("shutting_down", outcome.Error.Code);
    }

    [Fact]
    public async Task GrainFactory_UnregisteredInterface_Throws()
    {
        await using var silo = await TestSilo.StartAsync();

        Assert.Throws<InvalidOperationException>(() => silo.Factory.GetGrain<IUnregisteredGrain>("a"));
    }

    [Fact]
    public void AddGrain_ClassNotImplementingInterface_Throws()
    {
        var services = new ServiceCollection();
        var descriptor = new GrainInterfaceDescriptor
        {
            GrainType = "other",
            InterfaceType = typeof(IUnregisteredGrain),
            CreateReference = (_, _) => throw new NotSupportedException(),
            Dispatch = (_, _, _, _) => ValueTask.CompletedTask,
        };

        Assert.Throws<ArgumentException>(() => Hosting.SiloServiceCollectionExtensions.AddGrain<TestGrain>(services, descriptor));
    }

    [Fact]
    public async Task HandleAsync_OneWayThroughLocalInvoker_RunsAsTurn()
    {
        await using var silo = await TestSilo.StartAsync();
        var invoker = silo.Services.GetRequiredService<Runtime.Catalog.LocalGrainCallInvoker>();
        var id = new GrainId(TestGrainDescriptor.GrainType, "oneway");

        invoker.InvokeOneWay(id, TestGrainMethods.Slow, new IntValue(42));

        await TestSilo.EventuallyAsync(() => silo.Probe.Order.Contains(42), "the one-way call ran");
        Assert.Equal([42], silo.Probe.Order.ToArray());
    }

    [Fact]
    public async Task TryHandleUtf8_LiveActivation_RunsOnItAndUnknownGrainIsLeftToHandleAsync()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain("ключ-é");
        var instance = await grain.GetInstanceAsync();
        var type = Encoding.UTF8.GetBytes(TestGrainDescriptor.GrainType);
        var result = new ArrayBufferWriter<byte>();

        var known = silo.Catalog.TryHandleUtf8(new Utf8GrainId(type, Encoding.UTF8.GetBytes("ключ-é")), TestGrainMethods.GetInstance, TestSilo.Encode(Empty.Value), 0, result, out var grainId, out var outcome);
        var unknown = silo.Catalog.TryHandleUtf8(new Utf8GrainId(type, Encoding.UTF8.GetBytes("other")), TestGrainMethods.GetInstance, TestSilo.Encode(Empty.Value), 0, new ArrayBufferWriter<byte>(), out _, out _);

        Assert.True(known);
        Assert.Equal(CallOutcomeKind.Ok, (await outcome).Kind);
        Assert.Equal(new GrainId(TestGrainDescriptor.GrainType, "ключ-é"), grainId);
        var reader = new GrainReader(result.WrittenSpan);
        Assert.Equal(instance, IntValue.Read(ref reader));
        Assert.False(unknown);
        Assert.Equal(1, silo.Probe.Activations);
        Assert.Equal(1, silo.Catalog.Count);
    }
}

public interface IUnregisteredGrain : IGrain;
