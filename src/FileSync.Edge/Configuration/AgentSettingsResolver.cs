using FileSync.Edge.Cli;
using FileSync.Edge.Local;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Configuration;

/// <summary>
/// Turns the agent's arguments, its environment and its config file into one <see cref="AgentSettings"/>,
/// or into the one line saying why the agent cannot start. It reads only the files the arguments name
/// (the API key file, the config file) and looks at the workspace folders; it starts nothing, claims
/// nothing and writes nothing.
/// </summary>
public static class AgentSettingsResolver
{
    /// <summary>The server's URL: above the config file's, below <c>--server</c> (DESIGN §4).</summary>
    public const string ServerVariable = "FILESYNC_SERVER";

    /// <summary>The API key, below <c>--api-key</c> and <c>--api-key-file</c>, above the config file.</summary>
    public const string ApiKeyVariable = "FILESYNC_API_KEY";

    /// <summary>
    /// Resolves, in this order (the first problem ends it): the API key file, the identity, the config
    /// file, the workspaces (remembered ones that are gone are skipped with a warning; a bad one given now
    /// is an error), then the configuration as a whole.
    /// </summary>
    /// <param name="arguments">What the command line gave.</param>
    /// <param name="environment">Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    public static AgentSettingsResolution Resolve(
        AgentArguments arguments,
        Func<string, string?> environment
    )
    {
        var warnings = new List<string>();
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (environment(ServerVariable) is { Length: > 0 } server)
        {
            overrides["Uplink:Server"] = server;
        }
        if (environment(ApiKeyVariable) is { Length: > 0 } key)
        {
            overrides["Uplink:ApiKey"] = key;
        }
        foreach (var (name, value) in arguments.Configuration)
        {
            overrides[name] = value;
        }

        if (arguments.ApiKeyFile is { } keyFile)
        {
            try
            {
                overrides["Uplink:ApiKey"] = File.ReadAllText(keyFile).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Failed($"cannot read --api-key-file '{keyFile}': {ex.Message}");
            }
        }
        if (arguments.Name is { } identity && MachineFingerprint.Validate(identity) is { } problem)
        {
            return Failed($"--name: the identity {problem}");
        }

        // A missing file, at the default path or given explicitly, is no error: the defaults apply, and the
        // agent creates it when the server chooses workspaces to remember.
        AgentConfigFileContent config;
        try
        {
            config = AgentConfigFileReader.Read(
                AgentConfigLocation.Resolve(arguments.ConfigFile, environment)
            );
        }
        catch (ConfigFileException ex)
        {
            return Failed(ex.Message);
        }

        if (arguments.Workspaces.FirstOrDefault(w => w.StartsWith('-')) is { } unknown)
        {
            return Failed($"unknown option '{unknown}' (see --help)");
        }
        // The workspaces the server chose last time (remembered in the config file), plus those given now.
        var workspaces = new List<string>();
        foreach (var path in config.Workspaces ?? [])
        {
            if (!WorkspaceRoot.TryForUser(path, out var root, out var rejection))
            {
                // Not fatal: the server chose it and can choose again; a folder may be gone for a while.
                warnings.Add($"skipping a workspace saved in '{config.Path}': {rejection.Message}");
                continue;
            }
            if (!workspaces.Contains(root.Path, PathComparer.Default))
            {
                workspaces.Add(root.Path);
            }
        }
        var savedCount = workspaces.Count;
        var commandLineRoots = new List<string>();
        foreach (var path in arguments.Workspaces)
        {
            if (!WorkspaceRoot.TryForUser(path, out var root, out var rejection))
            {
                return Failed(rejection.Message);
            }
            commandLineRoots.Add(root.Path);
            if (!workspaces.Contains(root.Path, PathComparer.Default))
            {
                workspaces.Add(root.Path);
            }
        }
        // With a saved (even empty) list the server manages the workspaces, so running without any is fine.
        if (workspaces.Count == 0 && config.Workspaces is null)
        {
            return Failed("no workspace given; pass one or more folders (see --help)");
        }

        var settings = new AgentSettings(
            config,
            overrides,
            workspaces,
            // Remembered folders were chosen by the server: they are checked again against what it may choose.
            [
                .. workspaces
                    .Take(savedCount)
                    .Where(w => !commandLineRoots.Contains(w, PathComparer.Default)),
            ],
            commandLineRoots,
            arguments.LogLevel ?? LogLevel.Information
        );
        var configuration = new ConfigurationBuilder();
        settings.AddTo(configuration);
        if (OptionsBinding.Problem(configuration.Build()) is { } bindingProblem)
        {
            return Failed($"invalid configuration: {bindingProblem}");
        }
        return new AgentSettingsResolution { Settings = settings, Warnings = warnings };

        AgentSettingsResolution Failed(string error) =>
            new() { Error = error, Warnings = warnings };
    }
}
