namespace Granary.Runtime.Catalog;

/// <summary>
/// A timer owned by one activation. Each tick is queued as a turn (so it never overlaps a call);
/// the underlying one-shot <see cref="ITimer"/> is re-armed for <c>period</c> only after the
/// callback completed, so ticks never pile up. Disposed explicitly or with the activation.
/// </summary>
internal sealed class GrainTimer : TurnItem, IDisposable
{
    private readonly ActivationData _activation;
    private readonly Func<CancellationToken, ValueTask> _callback;
    private readonly TimeSpan _period;
    private readonly ITimer _timer;
    private volatile bool _disposed;

    public GrainTimer(ActivationData activation, Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period, TimeProvider timeProvider)
    {
        _activation = activation;
        _callback = callback;
        _period = period;
        // Created disarmed, then armed: the callback may run before the constructor returns otherwise.
        _timer = timeProvider.CreateTimer(static state => ((GrainTimer)state!).OnDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
    }

    private void OnDue()
    {
        if (!_disposed && !_activation.TryEnqueue(this, isCall: false))
            Dispose();
    }

    public override async ValueTask RunAsync(ActivationData activation)
    {
        if (_disposed)
            return;
        // A fenced silo (no valid lease) runs no grain code: the tick is skipped, the timer re-armed.
        if (activation.Catalog.CanServe)
        {
            var stamp = activation.BeginTurn();
            try
            {
                await _callback(activation.Catalog.ShutdownToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                CatalogLog.TimerFailed(activation.Catalog.Logger, e, activation.GrainId);
            }
            activation.EndTurn(stamp);
        }
        if (_disposed || _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero)
            return;
        try
        {
            _timer.Change(_period, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
        // A Dispose that raced with Change must win.
        if (_disposed)
            _timer.Dispose();
    }

    /// <summary>Stops the timer without unregistering it (the activation does that).</summary>
    public void Stop()
    {
        _disposed = true;
        _timer.Dispose();
    }

    public void Dispose()
    {
        Stop();
        _activation.RemoveTimer(this);
    }
}
