using System.Buffers;
using System.Collections.Concurrent;
using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;

namespace Granary.Runtime.Tests.Catalog;

/// <summary>An int32 message.</summary>
public readonly record struct IntValue(int Value) : IGrainCodec<IntValue>
{
    public static void Write(GrainWriter writer, IntValue value) => writer.WriteInt32(value.Value);

    public static IntValue Read(ref GrainReader reader) => new(reader.ReadInt32());
}

public interface ITestGrain : IGrain
{
    ValueTask<IntValue> EchoAsync(IntValue value);

    /// <summary>Records the value in call order after yielding several times; tracks overlap.</summary>
    ValueTask<IntValue> SlowAsync(IntValue value);

    ValueTask ThrowAsync();

    /// <summary>Registers a timer with the given period in ms (due = period).</summary>
    ValueTask StartTimerAsync(IntValue periodMs);

    ValueTask DeactivateAsync();

    /// <summary>Returns the instance number of the activation (1 for the first activation created, …).</summary>
    ValueTask<IntValue> GetInstanceAsync();
}

public static class TestGrainMethods
{
    public const ushort Echo = 1;
    public const ushort Slow = 2;
    public const ushort Throw = 3;
    public const ushort StartTimer = 4;
    public const ushort Deactivate = 5;
    public const ushort GetInstance = 6;
}

/// <summary>Shared observation and control of test grains (a DI singleton injected into the grain's constructor).</summary>
public sealed class TestProbe
{
    private int _current;
    private int _instances;

    public int MaxConcurrency;
    public int Activations;
    public int Deactivations;
    public int TimerTicks;
    public int FailActivations;
    public ConcurrentQueue<int> Order { get; } = new();
    public ConcurrentQueue<string> Events { get; } = new();
    public ConcurrentQueue<DeactivationReason> DeactivationReasons { get; } = new();

    /// <summary>When set, SlowAsync awaits it before recording (blocks the activation's mailbox).</summary>
    public TaskCompletionSource? CallGate { get; set; }

    /// <summary>When set, OnDeactivateAsync awaits it.</summary>
    public TaskCompletionSource? DeactivationGate { get; set; }

    public int NextInstance() => Interlocked.Increment(ref _instances);

    public void Enter()
    {
        var now = Interlocked.Increment(ref _current);
        int max;
        while (now > (max = Volatile.Read(ref MaxConcurrency)) && Interlocked.CompareExchange(ref MaxConcurrency, now, max) != max)
        {
        }
    }

    public void Exit() => Interlocked.Decrement(ref _current);
}

public sealed class TestGrain(TestProbe probe) : Grain, ITestGrain
{
    private readonly int _instance = probe.NextInstance();

    public override ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref probe.FailActivations) >= 0)
            throw new InvalidOperationException("activation failed on purpose");
        Interlocked.Increment(ref probe.Activations);
        probe.Events.Enqueue($"activate {_instance}");
        return ValueTask.CompletedTask;
    }

    public override async ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Events.Enqueue($"deactivating {_instance}");
        if (probe.DeactivationGate is { } gate)
            await gate.Task;
        probe.DeactivationReasons.Enqueue(reason);
        Interlocked.Increment(ref probe.Deactivations);
        probe.Events.Enqueue($"deactivated {_instance}");
    }

    public ValueTask<IntValue> EchoAsync(IntValue value)
    {
        probe.Enter();
        probe.Exit();
        return new(value);
    }

    public async ValueTask<IntValue> SlowAsync(IntValue value)
    {
        probe.Enter();
        try
        {
            if (probe.CallGate is { } gate)
                await gate.Task;
            for (var i = 0; i < 3; i++)
                await Task.Yield();
            probe.Order.Enqueue(value.Value);
            return value;
        }
        finally
        {
            probe.Exit();
        }
    }

    public ValueTask ThrowAsync() => throw new InvalidOperationException("boom");

    public ValueTask StartTimerAsync(IntValue periodMs)
    {
        var period = TimeSpan.FromMilliseconds(periodMs.Value);
        Context.RegisterTimer(async _ =>
        {
            probe.Enter();
            await Task.Yield();
            Interlocked.Increment(ref probe.TimerTicks);
            probe.Exit();
        }, period, period);
        return ValueTask.CompletedTask;
    }

    public ValueTask DeactivateAsync()
    {
        Context.DeactivateOnIdle();
        return ValueTask.CompletedTask;
    }

    public ValueTask<IntValue> GetInstanceAsync() => new(new IntValue(_instance));
}

internal sealed class TestGrainReference(GrainId grainId, IGrainCallInvoker invoker) : GrainReference(grainId, invoker), ITestGrain
{
    public ValueTask<IntValue> EchoAsync(IntValue value) => Invoker.InvokeAsync<IntValue, IntValue>(GrainId, TestGrainMethods.Echo, value);

    public ValueTask<IntValue> SlowAsync(IntValue value) => Invoker.InvokeAsync<IntValue, IntValue>(GrainId, TestGrainMethods.Slow, value);

    public async ValueTask ThrowAsync() => await Invoker.InvokeAsync<Empty, Empty>(GrainId, TestGrainMethods.Throw, Empty.Value);

    public async ValueTask StartTimerAsync(IntValue periodMs) => await Invoker.InvokeAsync<IntValue, Empty>(GrainId, TestGrainMethods.StartTimer, periodMs);

    public async ValueTask DeactivateAsync() => await Invoker.InvokeAsync<Empty, Empty>(GrainId, TestGrainMethods.Deactivate, Empty.Value);

    public ValueTask<IntValue> GetInstanceAsync() => Invoker.InvokeAsync<Empty, IntValue>(GrainId, TestGrainMethods.GetInstance, Empty.Value);
}

public static class TestGrainDescriptor
{
    public const string GrainType = "test";

    public static GrainInterfaceDescriptor Descriptor { get; } = new()
    {
        GrainType = GrainType,
        InterfaceType = typeof(ITestGrain),
        CreateReference = static (id, invoker) => new TestGrainReference(id, invoker),
        Dispatch = Dispatch,
    };

    private static ValueTask Dispatch(IGrain grain, ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result)
    {
        var target = (ITestGrain)grain;
        switch (methodId)
        {
            case TestGrainMethods.Echo:
                return WriteResult(target.EchoAsync(Read<IntValue>(arguments)), result);
            case TestGrainMethods.Slow:
                return WriteResult(target.SlowAsync(Read<IntValue>(arguments)), result);
            case TestGrainMethods.Throw:
                return target.ThrowAsync();
            case TestGrainMethods.StartTimer:
                return target.StartTimerAsync(Read<IntValue>(arguments));
            case TestGrainMethods.Deactivate:
                return target.DeactivateAsync();
            case TestGrainMethods.GetInstance:
                return WriteResult(target.GetInstanceAsync(), result);
            default:
                throw new UnknownGrainMethodException(GrainType, methodId);
        }
    }

    private static T Read<T>(ReadOnlyMemory<byte> arguments) where T : IGrainCodec<T>
    {
        var reader = new GrainReader(arguments.Span);
        return T.Read(ref reader);
    }

    private static ValueTask WriteResult<T>(ValueTask<T> call, IBufferWriter<byte> result) where T : IGrainCodec<T>
    {
        if (call.IsCompletedSuccessfully)
        {
            T.Write(new GrainWriter(result), call.Result);
            return ValueTask.CompletedTask;
        }
        return Awaited(call, result);

        static async ValueTask Awaited(ValueTask<T> call, IBufferWriter<byte> result) => T.Write(new GrainWriter(result), await call);
    }
}
