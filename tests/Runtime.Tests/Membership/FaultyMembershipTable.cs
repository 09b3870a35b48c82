using Granary.Runtime.Membership;

namespace Granary.Runtime.Tests.Membership;

/// <summary>
/// Wraps a membership table as one silo sees it: <see cref="Down"/> cuts that silo off (every call
/// throws, as when the database is unreachable from it); <see cref="Notify"/> false hides change
/// notifications (polling only). Records the statuses this silo wrote.
/// </summary>
internal sealed class FaultyMembershipTable(IMembershipTable inner) : IMembershipTable, IMembershipChangeNotifier
{
    private Action? _changed;

    public volatile bool Down;

    public volatile bool Notify = true;

    public List<(SiloAddress Silo, SiloStatus Status)> Writes { get; } = [];

    public event Action? Changed
    {
        add
        {
            if (_changed is null && inner is IMembershipChangeNotifier notifier)
                notifier.Changed += OnInnerChanged;
            _changed += value;
        }
        remove => _changed -= value;
    }

    private void OnInnerChanged()
    {
        if (Notify && !Down)
            _changed?.Invoke();
    }

    public Task<MembershipTableSnapshot> ReadAllAsync(CancellationToken cancellationToken = default) =>
        Down ? Task.FromException<MembershipTableSnapshot>(Unreachable()) : inner.ReadAllAsync(cancellationToken);

    public Task<bool> InsertAsync(SiloAddress silo, SiloStatus status, TimeSpan leaseDuration, long expectedVersion, CancellationToken cancellationToken = default) =>
        InsertAsync(silo, status, leaseDuration, expectedVersion, null, cancellationToken);

    public Task<bool> InsertAsync(SiloAddress silo, SiloStatus status, TimeSpan leaseDuration, long expectedVersion, int? httpPort, CancellationToken cancellationToken = default)
    {
        if (Down)
            return Task.FromException<bool>(Unreachable());
        Record(silo, status);
        return inner.InsertAsync(silo, status, leaseDuration, expectedVersion, httpPort, cancellationToken);
    }

    public Task<bool> UpdateAsync(SiloAddress silo, SiloStatus status, long expectedVersion, CancellationToken cancellationToken = default)
    {
        if (Down)
            return Task.FromException<bool>(Unreachable());
        Record(silo, status);
        return inner.UpdateAsync(silo, status, expectedVersion, cancellationToken);
    }

    public Task<bool> HeartbeatAsync(SiloAddress silo, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        Down ? Task.FromException<bool>(Unreachable()) : inner.HeartbeatAsync(silo, leaseDuration, cancellationToken);

    private void Record(SiloAddress silo, SiloStatus status)
    {
        lock (Writes)
            Writes.Add((silo, status));
    }

    private static InvalidOperationException Unreachable() => new("The membership table is unreachable (test partition).");
}
