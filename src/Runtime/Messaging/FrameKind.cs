namespace Granary.Runtime.Messaging;

/// <summary>The kind byte of a frame on the grain port.</summary>
public enum FrameKind : byte
{
    /// <summary>A call expecting a <see cref="Response"/>, <see cref="Error"/> or <see cref="WrongSilo"/> with the same request id. Payload: <see cref="GrainRequestHeader"/> then arguments.</summary>
    Request = 1,

    /// <summary>A call expecting no answer (request id 0). Payload as <see cref="Request"/>.</summary>
    OneWay = 2,

    /// <summary>A successful result. Payload: the encoded result.</summary>
    Response = 3,

    /// <summary>A failed call. Payload: <see cref="CallError"/>.</summary>
    Error = 4,

    /// <summary>The silo does not own the grain in its view. Payload: <see cref="WrongSiloPayload"/>; the frame's view version is the silo's.</summary>
    WrongSilo = 5,

    /// <summary>Liveness probe; answered by <see cref="Pong"/> with the same request id. No payload.</summary>
    Ping = 6,

    /// <summary>Answer to <see cref="Ping"/>. No payload.</summary>
    Pong = 7,
}
