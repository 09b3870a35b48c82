using Microsoft.Extensions.Logging;

namespace Granary.Runtime.Membership;

/// <summary>
/// The current view of an <see cref="IMembershipViewProvider"/> and its <c>ViewChanged</c> event:
/// a snapshot becomes the view only when its version is higher, and a throwing handler is logged,
/// never propagated. Shared by the silo's membership service and the gateways' table view provider.
/// </summary>
/// <param name="logger">The owner's logger (view changes, failed handlers).</param>
internal sealed partial class MembershipViewPublisher(ILogger logger)
{
    private MembershipView _view = MembershipView.Empty;

    /// <summary>The latest published view.</summary>
    public MembershipView Current => Volatile.Read(ref _view);

    /// <summary>Raised after <see cref="Current"/> moves to a higher version.</summary>
    public event Action<MembershipView>? ViewChanged;

    /// <summary>Publishes <paramref name="snapshot"/> if it is newer than <see cref="Current"/>; callers serialise their calls.</summary>
    public void Publish(MembershipTableSnapshot snapshot)
    {
        if (snapshot.Version <= Current.Version)
            return;
        var view = snapshot.ToView();
        Volatile.Write(ref _view, view);
        LogViewChanged(view.Version, view.ActiveSilos.Length);
        try
        {
            ViewChanged?.Invoke(view);
        }
        catch (Exception e)
        {
            LogHandlerFailed(e);
        }
    }

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Membership view {Version}: {ActiveCount} active silo(s)")]
    private partial void LogViewChanged(long version, int activeCount);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "A membership view change handler threw")]
    private partial void LogHandlerFailed(Exception exception);
}
