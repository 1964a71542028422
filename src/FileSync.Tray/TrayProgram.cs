using System.Reflection;
using FileSync.Tray.Linux;
using FileSync.Tray.Windows;

namespace FileSync.Tray;

/// <summary>The <c>filesync-tray</c> executable: parses the command line, picks the platform's icon and runs the controller until "Quit tray" or Ctrl+C.</summary>
public static class TrayProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        TrayConsole.UseUtf8();
        if (args is ["--version"])
        {
            Console.WriteLine(
                typeof(TrayProgram)
                    .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
                    ?.InformationalVersion
                    ?? "0.0.0"
            );
            return 0;
        }
        var options = TrayOptions.Parse(args, out var error, out var help);
        if (help)
        {
            Console.WriteLine(TrayOptions.Usage);
            return 0;
        }
        if (options is null)
        {
            await Console
                .Error.WriteLineAsync($"filesync-tray: error: {error} (see --help)")
                .ConfigureAwait(false);
            return 2;
        }
        using var instance = TrayInstanceLock.TryAcquire(options.ConfigPath, out var lockProblem);
        if (instance is null && lockProblem is null)
        {
            Console.WriteLine($"filesync-tray: a tray for {options.ConfigPath} already runs");
            return 0;
        }
        if (lockProblem is not null)
        {
            await Console
                .Error.WriteLineAsync(
                    $"filesync-tray: cannot tell whether another tray runs for this config ({lockProblem}); starting anyway"
                )
                .ConfigureAwait(false);
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM,
            context =>
            {
                context.Cancel = true;
                stop.Cancel();
            }
        );
        var log = Console.Error;
        var time = TimeProvider.System;
        ITrayIcon icon;
        if (OperatingSystem.IsWindows())
        {
            icon = new NotifyIconTray(time, log);
        }
        else if (OperatingSystem.IsMacOS())
        {
            await log.WriteLineAsync(
                    "filesync-tray: no menu-bar icon on macOS yet; use 'filesync-edge status' (and launchd keeps the agent running)"
                )
                .ConfigureAwait(false);
            return 1;
        }
        else
        {
            icon = new SniTrayIcon(time, log);
        }
        await using (icon.ConfigureAwait(false))
        {
            var launcher = new AgentLauncher(options, AgentLogFile.PathForThisUser());
            var controller = new TrayController(
                options,
                icon,
                launcher,
                new DesktopActions(options, launcher, log),
                time,
                log
            );
            try
            {
                await controller.RunAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl+C / SIGTERM.
            }
            catch (TrayUnavailableException ex)
            {
                await log.WriteLineAsync($"filesync-tray: error: {ex.Message}")
                    .ConfigureAwait(false);
                return 1;
            }
        }
        return 0;
    }
}
