using System.Buffers;
using System.Collections.Concurrent;
using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;
using Granary.Runtime.Storage;
using Granary.Runtime.Tests.Catalog;

namespace Granary.Runtime.Tests.Storage;

/// <summary>A persisted counter: the state a <see cref="CounterGrain"/> keeps.</summary>
public readonly record struct CounterState(int Total) : IGrainCodec<CounterState>
{
    public static void Write(GrainWriter writer, CounterState value) => writer.WriteInt32(value.Total);

    public static CounterState Read(ref GrainReader reader) => new(reader.ReadInt32());

    public static byte[] Encode(int total) => [(byte)total, (byte)(total >> 8), (byte)(total >> 16), (byte)(total >> 24)];
}

public interface ICounterGrain : IGrain
{
    /// <summary>Adds to the total, marks the state dirty, returns the new total.</summary>
    ValueTask<IntValue> AddAsync(IntValue value);

    ValueTask<IntValue> GetAsync();
}

/// <summary>How the counter grains behave at deactivation, and what they saw.</summary>
public sealed class CounterProbe
{
    /// <summary>True (default): OnDeactivateAsync calls FlushAsync. False: it only adds 1000 and calls MarkDirty (left to write-behind).</summary>
    public bool FlushOnDeactivate { get; set; } = true;

    public ConcurrentQueue<DeactivationReason> DeactivationReasons { get; } = new();

    public ConcurrentQueue<Exception> FlushErrors { get; } = new();
}

public sealed class CounterGrain(IPersistentStateFactory factory, CounterProbe probe) : Grain, ICounterGrain
{
    private PersistentState<CounterState>? _state;

    private PersistentState<CounterState> State => _state!;

    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        _state = factory.Create(Context, IPersistentStateFactory.DefaultStateName, static () => new CounterState(0));
        await _state.LoadAsync(cancellationToken);
    }

    public override async ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.DeactivationReasons.Enqueue(reason);
        if (!probe.FlushOnDeactivate)
        {
            State.State = new CounterState(State.State.Total + 1000);
            State.MarkDirty();
            return;
        }
        try
        {
            await State.FlushAsync(cancellationToken);
        }
        catch (Exception e)
        {
            probe.FlushErrors.Enqueue(e);
            throw;
        }
    }

    public ValueTask<IntValue> AddAsync(IntValue value)
    {
        State.State = new CounterState(State.State.Total + value.Value);
        State.MarkDirty();
        return new(new IntValue(State.State.Total));
    }

    public ValueTask<IntValue> GetAsync() => new(new IntValue(State.State.Total));
}

internal sealed class CounterGrainReference(GrainId grainId, IGrainCallInvoker invoker) : GrainReference(grainId, invoker), ICounterGrain
{
    public ValueTask<IntValue> AddAsync(IntValue value) => Invoker.InvokeAsync<IntValue, IntValue>(GrainId, 1, value);

    public ValueTask<IntValue> GetAsync() => Invoker.InvokeAsync<Empty, IntValue>(GrainId, 2, Empty.Value);
}

public static class CounterGrainDescriptor
{
    public const string GrainType = "counter";

    public static GrainInterfaceDescriptor Descriptor { get; } = new()
    {
        GrainType = GrainType,
        InterfaceType = typeof(ICounterGrain),
        CreateReference = static (id, invoker) => new CounterGrainReference(id, invoker),
        Dispatch = Dispatch,
    };

    private static ValueTask Dispatch(IGrain grain, ushort methodId, ReadOnlyMemory<byte> arguments, IBufferWriter<byte> result)
    {
        var target = (ICounterGrain)grain;
        return methodId switch
        {
            1 => WriteResult(target.AddAsync(ReadInt(arguments)), result),
            2 => WriteResult(target.GetAsync(), result),
            _ => throw new UnknownGrainMethodException(GrainType, methodId),
        };
    }

    private static IntValue ReadInt(ReadOnlyMemory<byte> arguments)
    {
        var reader = new GrainReader(arguments.Span);
        return IntValue.Read(ref reader);
    }

    private static async ValueTask WriteResult(ValueTask<IntValue> call, IBufferWriter<byte> result) => IntValue.Write(new GrainWriter(result), await call);
}
