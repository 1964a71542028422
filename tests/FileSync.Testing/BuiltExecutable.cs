using System.Diagnostics;
using System.Reflection;

namespace FileSync.Testing;

/// <summary>
/// The product's executables as the solution builds them (filesync-edge, filesync-server, filesync-tray),
/// each run by the dotnet host from its own output folder with its own runtimeconfig and deps.
/// </summary>
public static class BuiltExecutable
{
    /// <summary>Variables a developer's shell may carry that would change what the agent connects to or reads.</summary>
    public static readonly IReadOnlyList<string> ScrubbedVariables =
    [
        "FILESYNC_SERVER",
        "FILESYNC_API_KEY",
        "FILESYNC_CONFIG",
        "FILESYNC_STATE_DIR",
        // A proxy of the developer's (or the CI machine's) must not come between a test's agent and its server.
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ];

    /// <summary>The full path of <paramref name="program"/> found on PATH, or null.</summary>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => System.IO.Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

    /// <summary>True when the tests run as root (uid 0), where file permissions do not stop reads.</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>The dotnet host running these tests (DOTNET_HOST_PATH under <c>dotnet test</c>), else <c>dotnet</c>.</summary>
    public static string DotNetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } self
        && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
        : "dotnet";

    /// <summary>The .dll of a built executable in its own output folder (recorded at build time).</summary>
    public static string Path(string executable)
    {
        var recorded = typeof(BuiltExecutable)
            .Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == executable)
            ?.Value;
        var path = recorded is null
            ? System.IO.Path.Combine(AppContext.BaseDirectory, executable + ".dll")
            : System.IO.Path.GetFullPath(recorded);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{executable} is not built at {path}; build the solution first",
                path
            );
        }
        return path;
    }

    /// <summary>
    /// How to start <paramref name="executable"/> with all streams redirected, FILESYNC_* settings of the
    /// caller's environment removed and <paramref name="environment"/> applied; as user nobody when
    /// <paramref name="asUnprivilegedUser"/> and the tests run as root (root reads everything; permission
    /// tests need a real unprivileged process).
    /// </summary>
    public static ProcessStartInfo StartInfo(
        string executable,
        IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string?>>? environment = null,
        bool asUnprivilegedUser = false
    )
    {
        var unprivileged = asUnprivilegedUser && IsRoot;
        var info = RedirectedStartInfo(unprivileged ? "setpriv" : DotNetHost);
        if (unprivileged)
        {
            foreach (
                var argument in new[]
                {
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    DotNetHost,
                }
            )
            {
                info.ArgumentList.Add(argument);
            }
            info.Environment["HOME"] = System.IO.Path.GetTempPath();
            info.Environment["DOTNET_CLI_HOME"] = System.IO.Path.GetTempPath();
        }
        info.ArgumentList.Add(Path(executable));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        Apply(info, environment);
        return info;
    }

    /// <summary>A start for <paramref name="fileName"/> with stdin, stdout and stderr redirected, no shell.</summary>
    public static ProcessStartInfo RedirectedStartInfo(string fileName) =>
        new(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };

    /// <summary>Removes <see cref="ScrubbedVariables"/>, then sets <paramref name="environment"/>.</summary>
    public static void Apply(
        ProcessStartInfo info,
        IEnumerable<KeyValuePair<string, string?>>? environment
    )
    {
        foreach (var variable in ScrubbedVariables)
        {
            info.Environment.Remove(variable);
        }
        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }
    }
}
