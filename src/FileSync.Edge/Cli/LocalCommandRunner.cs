using System.CommandLine;
using System.Text.Json;
using FileSync.Edge.Hosting;
using FileSync.Edge.Local;

namespace FileSync.Edge.Cli;

/// <summary>
/// Runs one local command against the agent of <c>configPath</c>: connects to its endpoint, sends the
/// request, prints the answer. Exit codes: 0 done (status: connected and clean), 1 needs attention
/// (status) or the agent failed the command, 2 bad arguments (an unknown or refused workspace), 5 no
/// agent running. Errors are one line on stderr.
/// </summary>
public sealed class LocalCommandRunner(
    LocalCommandLine commandLine,
    string configPath,
    TextWriter output,
    TextWriter error,
    TimeProvider time
)
{
    /// <summary>How long connecting to the endpoint may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a command may take to be answered (add starts a workspace).</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long <c>stop</c> waits for the agent to be gone.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly LocalEndpointAddress _address = LocalEndpointAddress.For(configPath);

    public async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var command = result.CommandResult.Command.Name;
        var request = new LocalRequest
        {
            Command = command,
            Workspace = result.GetValue<string>(LocalCommandLine.WorkspaceArgument)
                is { Length: > 0 } workspace
                ? workspace
                : null,
            Cwd = Environment.CurrentDirectory,
        };
        try
        {
            return command switch
            {
                LocalCommands.Status => await StatusAsync(
                        request,
                        result.GetValue(commandLine.Json),
                        cancellationToken
                    )
                    .ConfigureAwait(false),
                LocalCommands.Logs => await LogsAsync(
                        result.GetValue(commandLine.Follow),
                        result.GetValue(commandLine.Lines),
                        cancellationToken
                    )
                    .ConfigureAwait(false),
                LocalCommands.Stop => await StopAsync(cancellationToken).ConfigureAwait(false),
                _ => await SimpleAsync(request, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (AgentNotRunningException ex)
        {
            if (command == LocalCommands.Status && result.GetValue(commandLine.Json))
            {
                await PrintJsonAsync(
                        LocalResponse.Failure(LocalErrorCodes.NoAgent, NoAgentMessage(ex))
                    )
                    .ConfigureAwait(false);
            }
            await error
                .WriteLineAsync($"filesync-edge: {NoAgentMessage(ex)}")
                .ConfigureAwait(false);
            return AgentExitCodes.NoAgent;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return AgentExitCodes.Ok; // Ctrl+C (logs -f)
        }
        catch (IOException ex)
        {
            await error
                .WriteLineAsync(CliMessage.Error(ex.Message.ReplaceLineEndings(" ")))
                .ConfigureAwait(false);
            return AgentExitCodes.Fatal;
        }
    }

    private string NoAgentMessage(AgentNotRunningException ex) =>
        $"no agent is running for the config file '{configPath}' (nothing listens at {ex.Address}: {ex.Reason}); start one with 'filesync-edge <folder> --server <url>'";

    private async Task<int> StatusAsync(
        LocalRequest request,
        bool json,
        CancellationToken cancellationToken
    )
    {
        var response = await LocalControlClient
            .RequestAsync(_address, request, AnswerTimeout, cancellationToken, time)
            .ConfigureAwait(false);
        if (json)
        {
            await PrintJsonAsync(response).ConfigureAwait(false);
        }
        if (!response.Ok || response.Status is null)
        {
            return await FailAsync(response).ConfigureAwait(false);
        }
        if (!json)
        {
            await output
                .WriteAsync(StatusPrinter.Format(response.Status, time.GetLocalNow()))
                .ConfigureAwait(false);
        }
        return response.Status.Attention.Count == 0
            ? AgentExitCodes.Ok
            : AgentExitCodes.NeedsAttention;
    }

    private async Task<int> SimpleAsync(LocalRequest request, CancellationToken cancellationToken)
    {
        var response = await LocalControlClient
            .RequestAsync(_address, request, AnswerTimeout, cancellationToken, time)
            .ConfigureAwait(false);
        if (!response.Ok)
        {
            return await FailAsync(response).ConfigureAwait(false);
        }
        await output.WriteLineAsync(response.Message ?? "done").ConfigureAwait(false);
        return AgentExitCodes.Ok;
    }

    private async Task<int> StopAsync(CancellationToken cancellationToken)
    {
        var response = await LocalControlClient
            .RequestAsync(
                _address,
                new LocalRequest { Command = LocalCommands.Stop },
                AnswerTimeout,
                cancellationToken,
                time
            )
            .ConfigureAwait(false);
        if (!response.Ok)
        {
            return await FailAsync(response).ConfigureAwait(false);
        }
        // Done when the endpoint is gone (the agent removes it as it stops) and the process has exited.
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < StopTimeout)
        {
            if (response.Status?.Pid is { } pid && IsRunning(pid))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken)
                    .ConfigureAwait(false);
                continue;
            }
            try
            {
                await using var probe = await LocalControlClient
                    .ConnectAsync(_address, ConnectTimeout, cancellationToken, time)
                    .ConfigureAwait(false);
            }
            catch (AgentNotRunningException)
            {
                await output.WriteLineAsync("the agent stopped").ConfigureAwait(false);
                return AgentExitCodes.Ok;
            }
            catch (IOException)
            {
                // Shutting down; try again.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken)
                .ConfigureAwait(false);
        }
        await error
            .WriteLineAsync(
                CliMessage.Error(
                    $"the agent accepted 'stop' but still runs after {StopTimeout.TotalSeconds:F0} s"
                )
            )
            .ConfigureAwait(false);
        return AgentExitCodes.Fatal;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private async Task<int> LogsAsync(bool follow, int? last, CancellationToken cancellationToken)
    {
        if (last is < 0)
        {
            await error
                .WriteLineAsync(CliMessage.Error("--lines must not be negative (see --help)"))
                .ConfigureAwait(false);
            return AgentExitCodes.BadArguments;
        }
        await using var client = await LocalControlClient
            .ConnectAsync(_address, ConnectTimeout, cancellationToken, time)
            .ConfigureAwait(false);
        await client
            .WriteAsync(
                new LocalRequest { Command = LocalCommands.Logs, Follow = follow },
                cancellationToken
            )
            .ConfigureAwait(false);
        var first = true;
        while (await client.ReadAsync(cancellationToken).ConfigureAwait(false) is { } response)
        {
            if (!response.Ok)
            {
                return await FailAsync(response).ConfigureAwait(false);
            }
            var lines = response.Lines ?? [];
            if (first && last is { } count)
            {
                lines = [.. lines.Skip(Math.Max(0, lines.Count - count))];
            }
            first = false;
            foreach (var line in lines)
            {
                await output
                    .WriteLineAsync(StatusPrinter.FormatLogLine(line, time.LocalTimeZone))
                    .ConfigureAwait(false);
            }
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (!follow)
            {
                return AgentExitCodes.Ok;
            }
        }
        if (follow)
        {
            await error
                .WriteLineAsync("filesync-edge: the agent stopped (end of its log)")
                .ConfigureAwait(false);
        }
        return AgentExitCodes.Ok;
    }

    private async Task<int> FailAsync(LocalResponse response)
    {
        await error
            .WriteLineAsync(CliMessage.Error(response.Error ?? "the agent did not say why"))
            .ConfigureAwait(false);
        return
            response.Code
                is LocalErrorCodes.UnknownWorkspace
                    or LocalErrorCodes.ForbiddenPath
                    or LocalErrorCodes.UnknownCommand
            ? AgentExitCodes.BadArguments
            : AgentExitCodes.Fatal;
    }

    private async Task PrintJsonAsync(LocalResponse response) =>
        await output
            .WriteLineAsync(
                JsonSerializer.Serialize(response, LocalJsonContext.Default.LocalResponse)
            )
            .ConfigureAwait(false);
}
