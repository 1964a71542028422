using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FileSync.Edge.Hosting;

/// <summary>
/// Chooses and registers the console's log format: short lines at a terminal, the full single-line
/// format when the output is redirected, journal priorities under systemd. <c>FILESYNC_CONSOLE=short</c>
/// or <c>full</c> overrides the choice (tests, a terminal recording, a pipe read by a person).
/// </summary>
public static class ConsoleLogging
{
    public const string StyleVariable = "FILESYNC_CONSOLE";

    /// <summary>The style for these facts; <paramref name="problem"/> names a value of the variable that means nothing.</summary>
    public static ConsoleStyle Choose(
        string? forced,
        bool underSystemd,
        bool errorRedirected,
        out string? problem
    )
    {
        problem = null;
        switch (forced?.Trim().ToLowerInvariant())
        {
            case "short":
                return ConsoleStyle.Short;
            case "full":
                return ConsoleStyle.Full;
            case null or "":
                break;
            default:
                problem =
                    $"{StyleVariable}='{forced}' is not a console style (short or full); choosing by the terminal";
                break;
        }
        return underSystemd ? ConsoleStyle.Journal
            : errorRedirected ? ConsoleStyle.Full
            : ConsoleStyle.Short;
    }

    public static void AddAgentConsole(this ILoggingBuilder logging, ConsoleStyle style)
    {
        switch (style)
        {
            case ConsoleStyle.Journal:
                // Journal priorities (<6>…) instead of timestamps and colours.
                logging.AddSystemdConsole();
                break;
            case ConsoleStyle.Full:
                logging.AddSimpleConsole(options =>
                {
                    options.SingleLine = true;
                    options.TimestampFormat = "HH:mm:ss ";
                    options.ColorBehavior = LoggerColorBehavior.Disabled;
                });
                break;
            default:
                // Registered by hand, not with AddConsoleFormatter<,>: that binds options by reflection.
                logging.AddConsole(options =>
                    options.FormatterName = ShortConsoleFormatter.FormatterName
                );
                logging.Services.TryAddEnumerable(
                    ServiceDescriptor.Singleton<ConsoleFormatter, ShortConsoleFormatter>()
                );
                logging.Services.TryAddSingleton(TimeProvider.System);
                break;
        }
    }
}
