using Granary.Runtime.Hosting;
using Granary.Runtime.Invocation;
using Granary.Runtime.Membership;
using Granary.Runtime.Placement;
using Granary.Runtime.Serialization;
using Granary.Runtime.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Runtime.Catalog;

/// <summary>
/// The silo's <see cref="IGrainCallInvoker"/> for calls made inside it (admin API, dashboard,
/// grains calling grains): the owner is chosen by rendezvous placement over the silo's own view;
/// when that is this silo (or nobody), the call runs through the local catalog
/// (<see cref="LocalGrainCallInvoker"/>, no network); otherwise it goes over the grain transport to
/// the owner, with a <see cref="ClusterClient"/> built over the silo's own membership view
/// (created on the first remote call; WrongSilo answers are followed, at most twice). Deadline:
/// <see cref="SiloOptions.LocalCallTimeoutMs"/> both ways.
/// </summary>
internal sealed class RoutingGrainCallInvoker : IGrainCallInvoker, IAsyncDisposable
{
    private readonly LocalGrainCallInvoker _local;
    private readonly Catalog _catalog;
    private readonly IMembershipViewProvider _views;
    private readonly GrainInterfaceRegistry _registry;
    private readonly ClientOptions _clientOptions;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory? _loggers;
    private readonly Lock _gate = new();
    private ClusterClient? _remote;
    private bool _disposed;

    public RoutingGrainCallInvoker(
        LocalGrainCallInvoker local,
        Catalog catalog,
        IMembershipViewProvider views,
        GrainInterfaceRegistry registry,
        IOptions<SiloOptions> options,
        TimeProvider time,
        ILoggerFactory? loggers = null)
    {
        _local = local;
        _catalog = catalog;
        _views = views;
        _registry = registry;
        _time = time;
        _loggers = loggers;
        _clientOptions = new ClientOptions
        {
            CallTimeoutMs = options.Value.LocalCallTimeoutMs,
            MaxFrameBytes = options.Value.MaxFrameBytes,
            ClusterSecret = options.Value.ClusterSecret,
        };
    }

    public ValueTask<TResult> InvokeAsync<TRequest, TResult>(GrainId grainId, ushort methodId, TRequest request, CancellationToken cancellationToken = default)
        where TRequest : IGrainCodec<TRequest>
        where TResult : IGrainCodec<TResult> =>
        IsLocal(grainId)
            ? _local.InvokeAsync<TRequest, TResult>(grainId, methodId, request, cancellationToken)
            : Remote().InvokeAsync<TRequest, TResult>(grainId, methodId, request, cancellationToken);

    public void InvokeOneWay<TRequest>(GrainId grainId, ushort methodId, TRequest request)
        where TRequest : IGrainCodec<TRequest>
    {
        if (IsLocal(grainId))
            _local.InvokeOneWay(grainId, methodId, request);
        else
            Remote().InvokeOneWay(grainId, methodId, request);
    }

    /// <summary>True when the owner in the silo's view is this silo, or there is no owner (the catalog then answers).</summary>
    private bool IsLocal(GrainId grainId)
    {
        var owner = RendezvousPlacement.SelectOwner(grainId, _views.Current.ActiveSilos);
        return owner is null || owner == _catalog.LocalSilo;
    }

    private ClusterClient Remote()
    {
        if (Volatile.Read(ref _remote) is { } remote)
            return remote;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _remote ??= new ClusterClient(_registry, _views, _clientOptions, _time, _loggers);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ClusterClient? remote;
        lock (_gate)
        {
            _disposed = true;
            remote = _remote;
        }
        if (remote is not null)
            await remote.DisposeAsync().ConfigureAwait(false);
    }
}
