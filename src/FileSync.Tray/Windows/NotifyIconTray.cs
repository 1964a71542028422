using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using FileSync.Tray.State;

namespace FileSync.Tray.Windows;

/// <summary>
/// The tray icon on Windows: <c>Shell_NotifyIcon</c> on a hidden message-only window owned by a thread
/// of its own (its message loop), a dot in the state's colour, the tooltip, and the menu as a popup
/// (<c>TrackPopupMenu</c>) on a right click; a left click shows the status. Re-added when Explorer
/// restarts (<c>TaskbarCreated</c>). No WinForms/WPF.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed partial class NotifyIconTray(TimeProvider time, TextWriter log) : ITrayIcon
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time = time;
    private readonly TextWriter _log = log;
    private const uint CallbackMessage = Win32.WM_APP + 1;
    private const uint UpdateMessage = Win32.WM_APP + 2;
    private const uint BalloonMessage = Win32.WM_APP + 3;
    private static NotifyIconTray? s_instance;

    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _started = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );
    private readonly TaskCompletionSource _completion = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );
    private TrayView _view = TrayStateMapper.Starting();
    private IReadOnlyList<TrayMenuItem> _menu = [];
    private Action<int> _onMenuItem = _ => { };
    private nint _window;
    private nint _icon;
    private uint _taskbarCreated;
    private Thread? _thread;

    public Task Completion => _completion.Task;

    public Task StartAsync(Action<int> onMenuItem, CancellationToken cancellationToken = default)
    {
        _onMenuItem = onMenuItem;
        s_instance = this;
        _thread = new Thread(MessageLoop) { IsBackground = true, Name = "filesync-tray window" };
        _thread.SetApartmentState(ApartmentState.STA);
        _thread.Start();
        return _started.Task.WaitAsync(cancellationToken);
    }

    public void Update(TrayView view, IReadOnlyList<TrayMenuItem> menu)
    {
        lock (_gate)
        {
            _view = view;
            _menu = menu;
        }
        if (_window != 0)
        {
            Win32.PostMessage(_window, UpdateMessage, 0, 0);
        }
    }

    private unsafe void MessageLoop()
    {
        try
        {
            var instance = Win32.GetModuleHandle(0);
            fixed (char* className = "FileSyncTrayWindow")
            {
                var windowClass = new Win32.WNDCLASSEXW
                {
                    cbSize = (uint)sizeof(Win32.WNDCLASSEXW),
                    lpfnWndProc = &WindowProc,
                    hInstance = instance,
                    lpszClassName = className,
                };
                if (Win32.RegisterClassEx(&windowClass) == 0)
                {
                    throw new TrayUnavailableException(
                        $"RegisterClassEx failed ({Marshal.GetLastPInvokeError()})"
                    );
                }
                _window = Win32.CreateWindowEx(
                    0,
                    className,
                    className,
                    0,
                    0,
                    0,
                    0,
                    0,
                    Win32.HWND_MESSAGE,
                    0,
                    instance,
                    0
                );
            }
            if (_window == 0)
            {
                throw new TrayUnavailableException(
                    $"CreateWindowEx failed ({Marshal.GetLastPInvokeError()})"
                );
            }
            _taskbarCreated = Win32.RegisterWindowMessage("TaskbarCreated");
            Notify(Win32.NIM_ADD);
            _started.TrySetResult();
            Win32.MSG message;
            while (Win32.GetMessage(&message, 0, 0, 0) > 0)
            {
                Win32.TranslateMessage(&message);
                Win32.DispatchMessage(&message);
            }
            _completion.TrySetResult();
        }
        catch (Exception ex)
        {
            _started.TrySetException(ex);
            _completion.TrySetException(ex);
        }
    }

    /// <summary>Adds or modifies the icon with the current view.</summary>
    private unsafe void Notify(uint command)
    {
        TrayView view;
        lock (_gate)
        {
            view = _view;
        }
        var previous = _icon;
        _icon = CreateIcon(view.Kind);
        var data = new Win32.NOTIFYICONDATAW
        {
            cbSize = (uint)sizeof(Win32.NOTIFYICONDATAW),
            hWnd = _window,
            uID = 1,
            uFlags = Win32.NIF_MESSAGE | Win32.NIF_ICON | Win32.NIF_TIP | Win32.NIF_SHOWTIP,
            uCallbackMessage = CallbackMessage,
            hIcon = _icon,
        };
        var tip = view.ShortText(127);
        for (var i = 0; i < tip.Length; i++)
        {
            data.szTip[i] = tip[i];
        }
        if (!Win32.Shell_NotifyIcon(command, &data) && command == Win32.NIM_MODIFY)
        {
            Win32.Shell_NotifyIcon(Win32.NIM_ADD, &data); // Explorer lost it
        }
        if (previous != 0)
        {
            Win32.DestroyIcon(previous);
        }
    }

    private static unsafe nint CreateIcon(TrayKind kind)
    {
        // The small-icon size of this display (16 at 100 %, 20 at 125 %, 24 at 150 %, 32 at 200 %).
        var size = Win32.GetSystemMetrics(Win32.SM_CXSMICON) is > 0 and var metric
            ? metric
            : StateIcon.Size;
        var pixels = StateIcon.Pixels(kind, size);
        var mask = StateIcon.EmptyMask(size);
        fixed (uint* xor = pixels)
        fixed (byte* and = mask)
        {
            return Win32.CreateIcon(Win32.GetModuleHandle(0), size, size, 1, 32, and, (byte*)xor);
        }
    }

    private unsafe void ShowMenu()
    {
        IReadOnlyList<TrayMenuItem> items;
        lock (_gate)
        {
            items = _menu;
        }
        var menu = Win32.CreatePopupMenu();
        foreach (var item in items)
        {
            if (item.IsSeparator)
            {
                Win32.AppendMenu(menu, Win32.MF_SEPARATOR, 0, null);
            }
            else
            {
                // '&' marks a mnemonic in Win32 menus; a literal one is doubled.
                Win32.AppendMenu(
                    menu,
                    Win32.MF_STRING | (item.Enabled ? 0 : Win32.MF_GRAYED),
                    item.Id,
                    item.Label.Replace("&", "&&", StringComparison.Ordinal)
                );
            }
        }
        Win32.POINT point;
        Win32.GetCursorPos(&point);
        Win32.SetForegroundWindow(_window); // else the menu does not close when clicking elsewhere
        var chosen = Win32.TrackPopupMenu(
            menu,
            Win32.TPM_RETURNCMD | Win32.TPM_NONOTIFY | Win32.TPM_RIGHTBUTTON,
            point.X,
            point.Y,
            0,
            _window,
            0
        );
        Win32.DestroyMenu(menu);
        if (chosen != 0)
        {
            _onMenuItem(chosen);
        }
    }

    [UnmanagedCallersOnly]
    private static unsafe nint WindowProc(nint hwnd, uint message, nint wParam, nint lParam)
    {
        var tray = s_instance;
        try
        {
            if (tray is not null)
            {
                if (message == CallbackMessage)
                {
                    var mouse = (uint)(lParam & 0xFFFF);
                    if (mouse is Win32.WM_RBUTTONUP or Win32.WM_CONTEXTMENU)
                    {
                        tray.ShowMenu();
                    }
                    else if (mouse == Win32.WM_LBUTTONUP)
                    {
                        tray._onMenuItem(TrayMenuBuilder.ShowStatusId);
                    }
                    return 0;
                }
                if (message == BalloonMessage)
                {
                    tray.ShowBalloons();
                    return 0;
                }
                if (message == UpdateMessage)
                {
                    tray.Notify(Win32.NIM_MODIFY);
                    return 0;
                }
                if (message == tray._taskbarCreated && message != 0)
                {
                    tray.Notify(Win32.NIM_ADD);
                    return 0;
                }
                if (message == Win32.WM_DESTROY)
                {
                    var data = new Win32.NOTIFYICONDATAW
                    {
                        cbSize = (uint)sizeof(Win32.NOTIFYICONDATAW),
                        hWnd = hwnd,
                        uID = 1,
                    };
                    Win32.Shell_NotifyIcon(Win32.NIM_DELETE, &data);
                    Win32.PostQuitMessage(0);
                    return 0;
                }
            }
        }
        catch (Exception ex)
        {
            tray?._log.WriteLine($"filesync-tray: {ex.Message}");
        }
        return Win32.DefWindowProc(hwnd, message, wParam, lParam);
    }

    public ValueTask DisposeAsync()
    {
        if (_window != 0)
        {
            Win32.PostMessage(_window, Win32.WM_CLOSE, 0, 0);
        }
        return new ValueTask(DisposeCoreAsync());
    }

    private async Task DisposeCoreAsync()
    {
        if (_window != 0)
        {
            await Completion.WaitAsync(s_closeTimeout, _time).ConfigureAwait(false);
        }
        if (_icon != 0)
        {
            Win32.DestroyIcon(_icon);
        }
    }
}
