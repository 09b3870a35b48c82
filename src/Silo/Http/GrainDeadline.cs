namespace Granary.Silo.Http;

/// <summary>
/// The deadline of the dashboard's reads (<c>/api/*</c>): each grain or management call made to answer
/// one request is awaited at most <see cref="Timeout"/> (by the injected clock), so one slow or dead
/// silo costs a page refresh an <c>error</c> field, never the page's own 5 s request timeout. The call
/// itself runs on to its Orleans response timeout. Admin API writes are not cut short: they wait for
/// the grain method's own response timeout (<c>GrainCallTimeouts.Admin</c>, 5 s).
/// </summary>
/// <param name="time">The clock of the deadline.</param>
internal sealed class GrainDeadline(TimeProvider time)
{
    /// <summary>Deadline of one call made for a dashboard read: 2 s.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>Awaits <paramref name="call"/> at most <see cref="Timeout"/>.</summary>
    /// <exception cref="TimeoutException">The call did not finish in time.</exception>
    public Task<T> Run<T>(ValueTask<T> call, CancellationToken cancellationToken) => call.AsTask().WaitAsync(Timeout, time, cancellationToken);

    /// <summary>Awaits <paramref name="call"/> at most <see cref="Timeout"/>.</summary>
    /// <exception cref="TimeoutException">The call did not finish in time.</exception>
    public Task<T> Run<T>(Task<T> call, CancellationToken cancellationToken) => call.WaitAsync(Timeout, time, cancellationToken);

    /// <summary>A short, safe description of a failed call for a JSON <c>error</c> field.</summary>
    public static string Describe(Exception e) => e switch
    {
        TimeoutException => $"No answer within {Timeout.TotalMilliseconds} ms",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
