using Granary.Runtime.Serialization;

namespace Granary.Runtime.Messaging;

/// <summary>Payload of a <see cref="FrameKind.WrongSilo"/> frame: the owner in the answering silo's view, if it knows one.</summary>
/// <param name="OwnerEndpoint">The owner's grain endpoint as <c>host:port</c>, or null when the silo knows no owner.</param>
public readonly record struct WrongSiloPayload(string? OwnerEndpoint) : IGrainCodec<WrongSiloPayload>
{
    /// <inheritdoc />
    public static void Write(GrainWriter writer, WrongSiloPayload value) => writer.WriteNullableString(value.OwnerEndpoint);

    /// <inheritdoc />
    public static WrongSiloPayload Read(ref GrainReader reader) => new(reader.ReadNullableString());
}
