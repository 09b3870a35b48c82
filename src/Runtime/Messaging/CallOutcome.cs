namespace Granary.Runtime.Messaging;

/// <summary>What became of an incoming call.</summary>
public enum CallOutcomeKind : byte
{
    /// <summary>The grain ran; the result was written.</summary>
    Ok,

    /// <summary>This silo does not own the grain; <see cref="CallOutcome.OwnerEndpoint"/> names the owner it knows.</summary>
    WrongSilo,

    /// <summary>The call failed; <see cref="CallOutcome.Error"/> says why.</summary>
    Error,
}

/// <summary>The outcome of <see cref="IIncomingCallHandler.HandleAsync"/>.</summary>
/// <param name="Kind">Which outcome.</param>
/// <param name="OwnerEndpoint">For <see cref="CallOutcomeKind.WrongSilo"/>: the owner's <c>host:port</c>, if known.</param>
/// <param name="Error">For <see cref="CallOutcomeKind.Error"/>: code and message.</param>
public readonly record struct CallOutcome(CallOutcomeKind Kind, string? OwnerEndpoint = null, CallError Error = default)
{
    /// <summary>The successful outcome.</summary>
    public static readonly CallOutcome Ok = new(CallOutcomeKind.Ok);

    /// <summary>A failure with a stable code (see <see cref="Invocation.GrainCallException"/>).</summary>
    public static CallOutcome Failed(string code, string message) => new(CallOutcomeKind.Error, Error: new CallError(code, message));

    /// <summary>A redirect to the owner.</summary>
    public static CallOutcome Redirect(string? ownerEndpoint) => new(CallOutcomeKind.WrongSilo, ownerEndpoint);
}
