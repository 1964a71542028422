using System.Runtime.Versioning;
using FileSync.Tray.Notifications;
using FileSync.Tray.State;
using Tmds.DBus.Protocol;

namespace FileSync.Tray.Linux;

/// <summary>
/// The tray icon on Linux desktops: a StatusNotifierItem (object <c>/StatusNotifierItem</c>, service
/// <c>org.kde.StatusNotifierItem-&lt;pid&gt;-1</c>) with a <c>com.canonical.dbusmenu</c> menu at
/// <c>/MenuBar</c>, registered with <c>org.kde.StatusNotifierWatcher</c> on the session bus (again
/// whenever the watcher restarts, e.g. the panel). KDE Plasma, GNOME with the AppIndicator extension,
/// XFCE, LXQt, Cinnamon and most others host such items.
/// </summary>
/// <param name="environment">Reads an environment variable (the bus address); tests pass their own.</param>
[UnsupportedOSPlatform("windows")]
public sealed class SniTrayIcon(
    TimeProvider time,
    TextWriter log,
    Func<string, string?>? environment = null
) : ITrayIcon
{
    public const string ItemPath = "/StatusNotifierItem";
    public const string MenuPath = "/MenuBar";
    public const string WatcherName = "org.kde.StatusNotifierWatcher";

    /// <summary>How often the registration with the watcher is checked.</summary>
    public static readonly TimeSpan RegistrationCheckInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private DBusConnection? _connection;
    private TrayView _view = TrayStateMapper.Starting();
    private IReadOnlyList<TrayMenuItem> _menu = [];
    private uint _revision = 1;
    private string? _registeredWith;
    private Task _completion = Task.CompletedTask;
    private Task? _registrationLoop;
    private readonly DesktopNotifications _notifications = new(log);

    /// <summary>The bus name the item is published under.</summary>
    public string ServiceName { get; } = $"org.kde.StatusNotifierItem-{Environment.ProcessId}-1";

    public Task Completion => _completion;

    internal Action<int> OnMenuItem { get; private set; } = _ => { };

    internal TrayView View
    {
        get
        {
            lock (_gate)
            {
                return _view;
            }
        }
    }

    internal (IReadOnlyList<TrayMenuItem> Menu, uint Revision) MenuState
    {
        get
        {
            lock (_gate)
            {
                return (_menu, _revision);
            }
        }
    }

    public async Task StartAsync(
        Action<int> onMenuItem,
        CancellationToken cancellationToken = default
    )
    {
        OnMenuItem = onMenuItem;
        var address = SessionBusAddress.Resolve(environment ?? Environment.GetEnvironmentVariable);
        var connection = new DBusConnection(address);
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            connection.AddMethodHandler(new StatusNotifierItemHandler(this));
            connection.AddMethodHandler(new DBusMenuHandler(this));
            await connection
                .RequestNameAsync(ServiceName, RequestNameOptions.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DBusExceptionBase or IOException)
        {
            connection.Dispose();
            throw new TrayUnavailableException(
                $"cannot use the D-Bus session bus at {address}: {ex.Message}"
            );
        }
        _connection = connection;
        _completion = WaitForDisconnectAsync(connection);
        await RegisterIfNeededAsync().ConfigureAwait(false);
        _registrationLoop = KeepRegisteredAsync(_stopping.Token);
    }

    private static async Task WaitForDisconnectAsync(DBusConnection connection)
    {
        var reason = await connection.DisconnectedAsync().ConfigureAwait(false);
        throw new TrayUnavailableException(
            $"the D-Bus session bus went away: {reason?.Message ?? "closed"}"
        );
    }

    private async Task KeepRegisteredAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RegistrationCheckInterval, time, cancellationToken)
                    .ConfigureAwait(false);
                await RegisterIfNeededAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
                when (ex is DBusExceptionBase or IOException or ObjectDisposedException)
            {
                // Checked again on the next round.
            }
        }
    }

    /// <summary>Registers with the watcher when it is there and does not know us yet (it may have restarted).</summary>
    private async Task RegisterIfNeededAsync()
    {
        var connection = _connection!;
        string owner;
        try
        {
            owner = await GetNameOwnerAsync(connection, WatcherName).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException)
        {
            if (_registeredWith is not null || _registrationLoop is null)
            {
                await log.WriteLineAsync(
                        "filesync-tray: no StatusNotifierWatcher on the session bus (is a panel with a tray running?); the icon appears when one starts"
                    )
                    .ConfigureAwait(false);
            }
            _registeredWith = null;
            return;
        }
        if (owner == _registeredWith)
        {
            return;
        }
        await connection.CallMethodAsync(RegisterMessage(connection)).ConfigureAwait(false);
        _registeredWith = owner;
        await log.WriteLineAsync($"filesync-tray: registered {ServiceName} with {WatcherName}")
            .ConfigureAwait(false);
    }

    private MessageBuffer RegisterMessage(DBusConnection connection)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(
            destination: WatcherName,
            path: "/StatusNotifierWatcher",
            @interface: WatcherName,
            member: "RegisterStatusNotifierItem",
            signature: "s",
            flags: MessageFlags.None
        );
        writer.WriteString(ServiceName);
        return writer.CreateMessage();
    }

    private static Task<string> GetNameOwnerAsync(DBusConnection connection, string name)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(
            destination: "org.freedesktop.DBus",
            path: "/org/freedesktop/DBus",
            @interface: "org.freedesktop.DBus",
            member: "GetNameOwner",
            signature: "s",
            flags: MessageFlags.None
        );
        writer.WriteString(name);
        return connection.CallMethodAsync(
            writer.CreateMessage(),
            static (Message message, object? _) => message.GetBodyReader().ReadString()
        );
    }

    public void Update(TrayView view, IReadOnlyList<TrayMenuItem> menu)
    {
        TrayView old;
        bool menuChanged;
        uint revision;
        lock (_gate)
        {
            old = _view;
            _view = view;
            menuChanged = !menu.SequenceEqual(_menu);
            if (menuChanged)
            {
                _menu = menu;
                _revision++;
            }
            revision = _revision;
        }
        if (_connection is not { } connection)
        {
            return;
        }
        const string Sni = StatusNotifierItemHandler.Interface;
        if (old.Status != view.Status)
        {
            Signal(
                connection,
                ItemPath,
                Sni,
                "NewStatus",
                (ref MessageWriter w) => w.WriteString(view.Status),
                "s"
            );
        }
        if (old.IconName != view.IconName || old.Kind != view.Kind)
        {
            Signal(connection, ItemPath, Sni, "NewIcon");
            Signal(connection, ItemPath, Sni, "NewAttentionIcon");
        }
        if (old.Title != view.Title)
        {
            Signal(connection, ItemPath, Sni, "NewTitle");
        }
        if (
            old.Title != view.Title
            || old.Text != view.Text
            || old.IconName != view.IconName
            || old.Kind != view.Kind
        )
        {
            Signal(connection, ItemPath, Sni, "NewToolTip");
        }
        if (menuChanged)
        {
            Signal(
                connection,
                MenuPath,
                DBusMenuHandler.Interface,
                "LayoutUpdated",
                (ref MessageWriter w) =>
                {
                    w.WriteUInt32(revision);
                    w.WriteInt32(0);
                },
                "ui"
            );
        }
    }

    public void Notify(TrayNotification notification)
    {
        if (_connection is { } connection)
        {
            _notifications.Send(
                connection,
                notification,
                notification.IsRecovery ? "emblem-default" : "dialog-warning"
            );
        }
    }

    private static void Signal(
        DBusConnection connection,
        string path,
        string @interface,
        string member,
        MessageBodyWriter? body = null,
        string? signature = null
    )
    {
        var writer = connection.GetMessageWriter();
        try
        {
            writer.WriteSignalHeader(null, path, @interface, member, signature);
            body?.Invoke(ref writer);
            connection.TrySendMessage(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_registrationLoop is not null)
        {
            await _registrationLoop.ConfigureAwait(false);
        }
        _connection?.Dispose();
        _stopping.Dispose();
    }
}
