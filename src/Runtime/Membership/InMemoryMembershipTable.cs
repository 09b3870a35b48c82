using System.Collections.Immutable;

namespace Granary.Runtime.Membership;

/// <summary>
/// <see cref="IMembershipTable"/> in process memory, for a single silo (or tests). One lock
/// serializes every operation, which gives the atomicity the contract asks for; the injected
/// <see cref="TimeProvider"/> plays the database clock. Lost on restart, by design. Raises
/// <see cref="Changed"/> after every successful insert or status update (outside the lock).
/// </summary>
internal sealed class InMemoryMembershipTable(TimeProvider timeProvider) : IMembershipTable, IMembershipChangeNotifier
{
    private readonly object _gate = new();
    private readonly Dictionary<SiloAddress, MembershipEntry> _rows = [];
    private long _version;

    public event Action? Changed;

    public Task<MembershipTableSnapshot> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var entries = _rows.Values.ToArray();
            Array.Sort(entries, (a, b) => MembershipTableSnapshot.CompareSilos(a.Silo, b.Silo));
            return Task.FromResult(new MembershipTableSnapshot(_version, ImmutableArray.Create(entries), timeProvider.GetUtcNow()));
        }
    }

    public Task<bool> InsertAsync(SiloAddress silo, SiloStatus status, TimeSpan leaseDuration, long expectedVersion, CancellationToken cancellationToken = default) =>
        InsertAsync(silo, status, leaseDuration, expectedVersion, null, cancellationToken);

    public Task<bool> InsertAsync(SiloAddress silo, SiloStatus status, TimeSpan leaseDuration, long expectedVersion, int? httpPort, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_version != expectedVersion || _rows.ContainsKey(silo))
                return Task.FromResult(false);
            var now = timeProvider.GetUtcNow();
            _rows.Add(silo, new MembershipEntry(silo, status, now + leaseDuration, now) { HttpPort = httpPort });
            _version++;
        }
        RaiseChanged();
        return Task.FromResult(true);
    }

    public Task<bool> UpdateAsync(SiloAddress silo, SiloStatus status, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_version != expectedVersion || !_rows.TryGetValue(silo, out var row))
                return Task.FromResult(false);
            if (row.Status == SiloStatus.Dead || status < row.Status)
                return Task.FromResult(false);
            _rows[silo] = row with { Status = status };
            _version++;
        }
        RaiseChanged();
        return Task.FromResult(true);
    }

    public Task<bool> HeartbeatAsync(SiloAddress silo, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_rows.TryGetValue(silo, out var row) || row.Status == SiloStatus.Dead)
                return Task.FromResult(false);
            _rows[silo] = row with { LeaseUntil = timeProvider.GetUtcNow() + leaseDuration };
            return Task.FromResult(true);
        }
    }

    private void RaiseChanged()
    {
        try
        {
            Changed?.Invoke();
        }
        catch (Exception)
        {
            // Handlers must not throw; a broken one must not fail the table operation that succeeded.
        }
    }
}
