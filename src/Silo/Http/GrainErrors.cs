namespace Granary.Silo.Http;

/// <summary>
/// Maps a failed grain call to the JSON error the HTTP port answers: <see cref="TimeoutException"/> (the
/// method's response timeout passed) → 504; Orleans failures (<see cref="SiloUnavailableException"/>, any
/// other <see cref="OrleansException"/>, e.g. a rejected message while the cluster changes) → 503; an
/// <see cref="ArgumentException"/> thrown by the grain (a value it refuses) → 400 with its message. Other
/// exceptions are not grain failures: they propagate (500 from <see cref="JsonErrorMiddleware"/>).
/// </summary>
internal static class GrainErrors
{
    /// <summary>True for the exceptions <see cref="Status"/> maps.</summary>
    public static bool IsGrainFailure(Exception e) => e is TimeoutException or OrleansException or ArgumentException;

    /// <summary>The HTTP status for a grain failure: 504, 503 or 400 (see the type's remarks).</summary>
    public static int Status(Exception e) => e switch
    {
        TimeoutException => StatusCodes.Status504GatewayTimeout,
        ArgumentException => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    /// <summary>The JSON error for a failed call to <paramref name="grain"/> (e.g. <c>client grain 'user1'</c>).</summary>
    public static IResult Result(Exception e, string grain) => ErrorBody.Result(Status(e), Message(e, grain));

    /// <summary>The message of <see cref="Result"/>: what failed, and why in a few words.</summary>
    public static string Message(Exception e, string grain) => e switch
    {
        TimeoutException => $"The {grain} did not answer in time",
        ArgumentException a => a.Message,
        SiloUnavailableException => $"The silo hosting the {grain} is unavailable; retry shortly",
        _ => $"The {grain} could not be reached ({e.GetType().Name}); retry shortly",
    };
}
