using System.Buffers;
using Granary.Grains.Contracts;
using Granary.Runtime;
using Granary.Runtime.Invocation;
using Granary.Runtime.Serialization;

namespace Granary.Grains.Tests.Fakes;

/// <summary>
/// An <see cref="IGrainCallInvoker"/> that does what the wire does: encodes the argument into a
/// buffer, dispatches it through the grain type's descriptor to a local grain instance, and
/// decodes the result from the bytes the dispatcher wrote.
/// </summary>
public sealed class SerializingInvoker : IGrainCallInvoker
{
    private readonly GrainInterfaceRegistry _registry = new(GrainDescriptors.All);
    private readonly Dictionary<GrainId, IGrain> _grains = [];

    public List<(GrainId Grain, ushort Method, int ArgumentBytes, int ResultBytes)> Calls { get; } = [];

    public void Add(GrainId id, IGrain grain) => _grains.Add(id, grain);

    public async ValueTask<TResult> InvokeAsync<TRequest, TResult>(GrainId grainId, ushort methodId, TRequest request, CancellationToken cancellationToken = default)
        where TRequest : IGrainCodec<TRequest>
        where TResult : IGrainCodec<TResult>
    {
        Assert.True(_registry.TryGetByGrainType(grainId.Type, out var descriptor));
        var arguments = new ArrayBufferWriter<byte>();
        TRequest.Write(new GrainWriter(arguments), request);
        var result = new ArrayBufferWriter<byte>();
        // A copy, as the wire gives the callee its own bytes.
        await descriptor.Dispatch(_grains[grainId], methodId, arguments.WrittenMemory.ToArray(), result);
        Calls.Add((grainId, methodId, arguments.WrittenCount, result.WrittenCount));
        return Decode<TResult>(result.WrittenSpan);
    }

    public void InvokeOneWay<TRequest>(GrainId grainId, ushort methodId, TRequest request) where TRequest : IGrainCodec<TRequest> =>
        InvokeAsync<TRequest, Empty>(grainId, methodId, request).AsTask().GetAwaiter().GetResult();

    private static T Decode<T>(ReadOnlySpan<byte> bytes) where T : IGrainCodec<T>
    {
        var reader = new GrainReader(bytes);
        var value = T.Read(ref reader);
        Assert.Equal(0, reader.Remaining);
        return value;
    }
}
