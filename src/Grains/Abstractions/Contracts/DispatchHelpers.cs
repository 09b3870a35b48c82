using System.Buffers;
using Granary.Runtime.Serialization;

namespace Granary.Grains.Contracts;

/// <summary>Decoding and encoding shared by the hand-written dispatchers.</summary>
internal static class DispatchHelpers
{
    /// <summary>Decodes the whole argument buffer as one <typeparamref name="T"/>; trailing bytes are malformed input.</summary>
    public static T ReadArgument<T>(ReadOnlyMemory<byte> arguments) where T : IGrainCodec<T>
    {
        var reader = new GrainReader(arguments.Span);
        var value = T.Read(ref reader);
        if (reader.Remaining != 0)
            throw new GrainSerializationException($"{reader.Remaining} unexpected trailing bytes after the {typeof(T).Name} argument.");
        return value;
    }

    /// <summary>Writes the result of <paramref name="call"/>; synchronously (no allocation) when it already completed.</summary>
    public static ValueTask WriteResult<T>(ValueTask<T> call, IBufferWriter<byte> result) where T : IGrainCodec<T>
    {
        if (call.IsCompletedSuccessfully)
        {
            T.Write(new GrainWriter(result), call.Result);
            return ValueTask.CompletedTask;
        }
        return Awaited(call, result);

        static async ValueTask Awaited(ValueTask<T> call, IBufferWriter<byte> result)
        {
            var value = await call.ConfigureAwait(false);
            T.Write(new GrainWriter(result), value);
        }
    }

    /// <summary>Completes a call that returns nothing; <c>Empty</c> encodes to zero bytes, so nothing is written.</summary>
    public static ValueTask WriteEmpty(ValueTask call) => call;
}
