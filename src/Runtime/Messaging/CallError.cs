using Granary.Runtime.Serialization;

namespace Granary.Runtime.Messaging;

/// <summary>Payload of a <see cref="FrameKind.Error"/> frame: a stable code and a message (see <see cref="Invocation.GrainCallException"/> for the codes).</summary>
/// <param name="Code">Stable error code.</param>
/// <param name="Message">Human-readable explanation.</param>
public readonly record struct CallError(string Code, string Message) : IGrainCodec<CallError>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, CallError value)
    {
        writer.WriteString(value.Code);
        writer.WriteString(value.Message);
    }

    /// <inheritdoc />
    public static CallError Read(ref GrainReader reader) => new(reader.ReadString(), reader.ReadString());
}
