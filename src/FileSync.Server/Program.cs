using System.CommandLine;
using FileSync.Server;
using FileSync.Server.Edges;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

// filesync-server --port <port> --mirror <dir> [--api-key <key>] [--legacy]
//                 [--dialect ours|todoforai] [--workspace <path>]... [--reject-second-connection]
//                 [--no-compression] [--no-manifest-tree] [--no-msgpack] [--no-xxh128]
// Exit codes: 0 clean shutdown (Ctrl+C / SIGTERM), 2 bad arguments, 1 anything else fatal.
// Stdout carries exactly one line, "listening on http://127.0.0.1:NNNN"; logs go to stderr.

const string Name = "filesync-server";

var portOption = new Option<int>("--port")
{
    Description = "TCP port on 127.0.0.1 (0 = any free port; the bound URL is printed on stdout)",
    Required = true,
};
portOption.Validators.Add(result =>
{
    // Read the token, not the value: a non-numeric port already is a parse error and
    // GetValueOrDefault would throw on it.
    if (
        result.Tokens is [var token]
        && int.TryParse(
            token.Value,
            System.Globalization.CultureInfo.InvariantCulture,
            out var port
        )
        && port is < 0 or > 65535
    )
    {
        result.AddError("--port must be between 0 and 65535");
    }
});
var mirrorOption = new Option<string>("--mirror")
{
    Description = "Folder that receives one sub-folder per workspace (created when missing)",
    Required = true,
};
mirrorOption.Validators.Add(result =>
{
    var value = result.GetValueOrDefault<string>();
    if (string.IsNullOrWhiteSpace(value))
    {
        result.AddError("--mirror must not be empty");
    }
    else if (File.Exists(value))
    {
        result.AddError($"--mirror '{value}' is a file, not a folder");
    }
});
var apiKeyOption = new Option<string?>("--api-key")
{
    Description =
        "Require 'Authorization: Bearer <key>' on the WebSocket upgrade (HTTP 401 otherwise)",
};
apiKeyOption.Validators.Add(result =>
{
    if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string?>()))
    {
        result.AddError("--api-key must not be empty");
    }
});
var legacyOption = new Option<bool>("--legacy")
{
    Description =
        "Act as a legacy server: no capabilities in connected_edge, manifests not answered",
};

var dialectOption = new Option<string>("--dialect")
{
    Description =
        "ours (default) or todoforai: behave like the todoforai backend (key as subprotocol, no capabilities, ERROR frames, text-only content)",
    DefaultValueFactory = _ => "ours",
};
dialectOption.AcceptOnlyFromAmong("ours", "todoforai");
var workspaceOption = new Option<string[]>("--workspace")
{
    Description = "A workspace path to announce in a first edge:config_update (repeatable)",
    AllowMultipleArgumentsPerToken = false,
};
var rejectSecondOption = new Option<bool>("--reject-second-connection")
{
    Description =
        "Close a second connection of a connected edge with 4001 (default: it replaces the first, which gets 4002)",
};

var noCompressionOption = new Option<bool>("--no-compression")
{
    Description = "Refuse permessage-deflate even when an edge offers it",
};

var root = new RootCommand(
    "FileSync reference server: mirrors the workspaces of connected edges into a folder."
)
{
    portOption,
    mirrorOption,
    apiKeyOption,
    legacyOption,
    dialectOption,
    workspaceOption,
    rejectSecondOption,
    noCompressionOption,
};

// --no-manifest-tree, --no-msgpack, --no-xxh128: one per capability that can be switched off.
var capabilitySwitches = CapabilityNegotiation
    .Switches.Select(capability =>
        (
            capability,
            option: new Option<bool>(capability.Flag) { Description = capability.Description }
        )
    )
    .ToList();
foreach (var (_, option) in capabilitySwitches)
{
    root.Options.Add(option);
}
root.SetAction(
    (parseResult, cancellationToken) =>
    {
        var options = new ServerOptions
        {
            Port = parseResult.GetValue(portOption),
            MirrorDirectory = parseResult.GetValue(mirrorOption)!,
            ApiKey = parseResult.GetValue(apiKeyOption),
            Legacy = parseResult.GetValue(legacyOption),
            Dialect =
                parseResult.GetValue(dialectOption) == "todoforai"
                    ? ServerDialect.Todoforai
                    : ServerDialect.Ours,
            Workspaces = [.. parseResult.GetValue(workspaceOption) ?? []],
            RejectSecondConnection = parseResult.GetValue(rejectSecondOption),
            Compression = !parseResult.GetValue(noCompressionOption),
        };
        foreach (var (capability, option) in capabilitySwitches)
        {
            if (parseResult.GetValue(option))
            {
                capability.TurnOff(options);
            }
        }
        return RunAsync(options, cancellationToken);
    }
);

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    await Console.Error.WriteLineAsync($"{Name}: {parsed.Errors[0].Message} (see --help)");
    return 2;
}

// The host handles Ctrl+C / SIGTERM itself (graceful stop, exit 0), so System.CommandLine must not.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static async Task<int> RunAsync(ServerOptions options, CancellationToken cancellationToken)
{
    WebApplication app;
    try
    {
        app = MirrorServer.Build(options, ConfigureConsoleLogging);
    }
    catch (OptionsValidationException ex)
    {
        await Console.Error.WriteLineAsync($"{Name}: {string.Join("; ", ex.Failures)}");
        return 2;
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
        await Console.Error.WriteLineAsync(
            $"{Name}: cannot use --mirror '{options.MirrorDirectory}': {ex.Message}"
        );
        return 2;
    }

    await using (app)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync(
                $"{Name}: cannot listen on 127.0.0.1:{options.Port}: {ex.Message}"
            );
            return 1;
        }
        var address = MirrorServer.GetBaseAddress(app).GetLeftPart(UriPartial.Authority);
        await Console.Out.WriteLineAsync($"listening on {address}");
        await Console.Out.FlushAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
    }
    return 0;
}

static void ConfigureConsoleLogging(ILoggingBuilder logging)
{
    logging.AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "HH:mm:ss ";
    });
    // Stdout is reserved for the "listening on" line that scripts read.
    logging.Services.Configure<ConsoleLoggerOptions>(console =>
        console.LogToStandardErrorThreshold = LogLevel.Trace
    );
    logging.SetMinimumLevel(LogLevel.Information);
    logging.AddFilter("Microsoft", LogLevel.Warning);
}
