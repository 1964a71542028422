using System.Threading.Channels;
using FileSync.Edge.Local;
using FileSync.Tray.Notifications;
using FileSync.Tray.State;

namespace FileSync.Tray;

/// <summary>
/// Reads the agent's status every <see cref="TrayOptions.Interval"/> (and right after each menu action),
/// shows it through the icon, and carries out menu clicks one at a time. Starts the agent once at start-up
/// when none runs (unless <c>--no-start</c>), and again on "Start agent". Until the agent first answers (or
/// is known not to run) the icon shows a neutral "starting". Raises a desktop notification when syncing
/// stops or recovers (<see cref="NotificationTracker"/>), unless <c>Tray:Notifications</c> is false.
/// </summary>
public sealed class TrayController(
    TrayOptions options,
    ITrayIcon icon,
    AgentLauncher launcher,
    DesktopActions desktop,
    TimeProvider time,
    TextWriter log
)
{
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long an agent the tray started, whose endpoint is gone, may take to be seen exited.</summary>
    private static readonly TimeSpan s_exitGrace = TimeSpan.FromSeconds(2);

    private readonly LocalEndpointAddress _address = LocalEndpointAddress.For(options.ConfigPath);
    private readonly Channel<int> _clicks = Channel.CreateBounded<int>(
        new BoundedChannelOptions(16)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }
    );
    private readonly NotificationTracker _notifications = new(time);
    private IReadOnlyList<TrayMenuItem> _menu = [];
    private TrayView? _shown;
    private string? _launchProblem;
    private bool _stopRequested;

    /// <summary>The menu shown now (tests, and resolving clicks).</summary>
    public IReadOnlyList<TrayMenuItem> Menu => Volatile.Read(ref _menu);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await icon.StartAsync(id => _clicks.Writer.TryWrite(id), cancellationToken)
            .ConfigureAwait(false);
        var reading = await ReadStatusAsync(cancellationToken).ConfigureAwait(false);
        if (reading.Status is null && !options.NoStart)
        {
            StartAgent();
            reading = await ReadStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        Show(reading);
        while (!cancellationToken.IsCancellationRequested)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var tick = Task.Delay(options.Interval, time, wait.Token);
            var click = _clicks.Reader.WaitToReadAsync(wait.Token).AsTask();
            var ended = await Task.WhenAny(tick, click, icon.Completion).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            if (ended == icon.Completion)
            {
                await icon.Completion.ConfigureAwait(false); // rethrows why the icon went away
                return;
            }
            cancellationToken.ThrowIfCancellationRequested();
            while (_clicks.Reader.TryRead(out var id))
            {
                if (!await ClickAsync(id, cancellationToken).ConfigureAwait(false))
                {
                    return; // Quit tray
                }
            }
            Show(await ReadStatusAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>How long after starting the agent "not running" reads "starting".</summary>
    private static readonly TimeSpan s_startGrace = TimeSpan.FromSeconds(30);
    private long _startedAt;

    private void StartAgent()
    {
        _stopRequested = false;
        _launchProblem = launcher.Start();
        _startedAt = _launchProblem is null ? time.GetTimestamp() : 0;
        log.WriteLine(
            _launchProblem is null
                ? $"filesync-tray: no agent was running; started one with --config {options.ConfigPath}"
                : $"filesync-tray: cannot start the agent: {_launchProblem}"
        );
    }

    private void Show(AgentReading reading)
    {
        var (status, problem, starting) = reading;
        var exitCode = status is null && !_stopRequested ? launcher.ExitCode : null;
        var view = starting
            ? TrayStateMapper.Starting(problem)
            : TrayStateMapper.Map(status, problem, exitCode);
        var menu = TrayMenuBuilder.Build(status, problem, starting);
        // The icon first: when a notification (or its "not notified" line) appears, the icon already says the same.
        if (view != _shown || !menu.SequenceEqual(Menu))
        {
            _shown = view;
            Volatile.Write(ref _menu, menu);
            icon.Update(view, menu);
        }
        if (starting)
        {
            return;
        }
        var due = _notifications.Observe(status, exitCode, _stopRequested, launcher.LogPath);
        var enabled = due.Count > 0 && NotificationSettings.Enabled(options.ConfigPath);
        foreach (var notification in due)
        {
            if (enabled)
            {
                icon.Notify(notification);
            }
            else
            {
                log.WriteLine(
                    $"filesync-tray: not notified (Tray:Notifications is false): {notification.Summary}"
                );
            }
        }
    }

    /// <summary>One status read: the status, or why there is none; <see cref="Starting"/> while an agent this tray started has not answered yet.</summary>
    private sealed record AgentReading(
        AgentStatusView? Status,
        string? Problem,
        bool Starting = false
    );

    private async Task<AgentReading> ReadStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await LocalControlClient
                .RequestAsync(
                    _address,
                    new LocalRequest { Command = LocalCommands.Status },
                    s_requestTimeout,
                    cancellationToken,
                    time
                )
                .ConfigureAwait(false);
            _startedAt = 0; // it answers: no longer "starting"
            return response.Status is { } status
                ? new AgentReading(status, null)
                : new AgentReading(null, response.Error ?? "the agent sent no status");
        }
        catch (AgentNotRunningException)
            when (_startedAt != 0
                && time.GetElapsedTime(_startedAt) < s_startGrace
                && launcher.ExitCode is null
            )
        {
            return new AgentReading(
                null,
                $"Starting the agent (--config {options.ConfigPath})…",
                Starting: true
            );
        }
        catch (AgentNotRunningException)
        {
            _startedAt = 0;
            return await NoAgentReadingAsync(
                    $"No agent runs with the config file {options.ConfigPath}",
                    cancellationToken
                )
                .ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // A connection cut mid-answer is often an agent dying: its exit, once seen, is the cause.
            return await NoAgentReadingAsync(ex.Message.TrimEnd('.'), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>
    /// No status: gives an agent this tray started a moment to be seen exited, so the reading (and the
    /// notification) names its exit code rather than a bare "stopped" or a cut connection.
    /// </summary>
    private async Task<AgentReading> NoAgentReadingAsync(
        string problem,
        CancellationToken cancellationToken
    )
    {
        await launcher.SettleExitAsync(s_exitGrace, time, cancellationToken).ConfigureAwait(false);
        var started = _launchProblem is null ? "" : $" (starting it failed: {_launchProblem})";
        var exited =
            _stopRequested || launcher.ExitCode is not { } code ? ""
            : code == TrayStateMapper.AuthenticationRejectedExitCode
                ? $" The agent exited with code {code}: the server rejected the API key (log: {launcher.LogPath})."
            : $" The agent exited with code {code} (log: {launcher.LogPath}).";
        return new AgentReading(null, $"{problem}{started}.{exited}");
    }

    /// <summary>Carries out a click; false for "Quit tray".</summary>
    private async Task<bool> ClickAsync(int id, CancellationToken cancellationToken)
    {
        var item = Menu.FirstOrDefault(i => i.Id == id);
        if (item is null || !item.Enabled)
        {
            return true;
        }
        switch (item.Action)
        {
            case TrayAction.QuitTray:
                return false;
            case TrayAction.StartAgent:
                StartAgent();
                return true;
            case TrayAction.OpenFolder when item.Argument is { } folder:
                desktop.OpenFolder(folder);
                return true;
            case TrayAction.ShowStatus:
                await desktop
                    .ShowCommandOutputAsync(
                        "status",
                        _address.Name + "-status.txt",
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                return true;
            case TrayAction.OpenLog:
                if (File.Exists(launcher.LogPath))
                {
                    desktop.OpenFile(launcher.LogPath); // the log of an agent this tray (or the installer) started
                }
                else
                {
                    await desktop
                        .ShowCommandOutputAsync(
                            "logs",
                            _address.Name + "-log.txt",
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                }
                return true;
            case TrayAction.Pause or TrayAction.Resume or TrayAction.Resync or TrayAction.QuitAgent:
                _startedAt = 0;
                _stopRequested |= item.Action == TrayAction.QuitAgent;
                var command = item.Action switch
                {
                    TrayAction.Pause => LocalCommands.Pause,
                    TrayAction.Resume => LocalCommands.Resume,
                    TrayAction.Resync => LocalCommands.Resync,
                    _ => LocalCommands.Stop,
                };
                try
                {
                    var response = await LocalControlClient
                        .RequestAsync(
                            _address,
                            new LocalRequest { Command = command },
                            s_requestTimeout,
                            cancellationToken,
                            time
                        )
                        .ConfigureAwait(false);
                    await log.WriteLineAsync(
                            response.Ok
                                ? $"filesync-tray: {command}: {response.Message}"
                                : $"filesync-tray: {command} failed: {response.Error}"
                        )
                        .ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    await log.WriteLineAsync($"filesync-tray: {command} failed: {ex.Message}")
                        .ConfigureAwait(false);
                }
                return true;
            default:
                return true;
        }
    }
}
