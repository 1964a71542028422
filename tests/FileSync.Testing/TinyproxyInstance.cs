using System.Net.Sockets;
using Xunit.Abstractions;

namespace FileSync.Testing;

/// <summary>
/// A real CONNECT proxy for tests: its own tinyproxy on a free 127.0.0.1 port, with its config, log and
/// pid file in a temp folder of its own (no system service). <see cref="Log"/> reads what it logged
/// (each request line, e.g. <c>CONNECT 127.0.0.1:41234 HTTP/1.1</c>). Stopped on dispose.
/// </summary>
public sealed class TinyproxyInstance : IAsyncDisposable
{
    private readonly TempDirectory _folder;
    private readonly ChildProcess _process;

    private TinyproxyInstance(TempDirectory folder, ChildProcess process, int port)
    {
        _folder = folder;
        _process = process;
        Port = port;
    }

    /// <summary>Why tinyproxy cannot run here, or null when it can.</summary>
    public static string? Unavailable =>
        BuiltExecutable.FindOnPath("tinyproxy") is null
            ? "tinyproxy is not installed (apt-get install tinyproxy; .ci/run installs it)"
            : null;

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>, or with <c>user:password@</c> when given.</summary>
    public string Url(string? userInfo = null) =>
        $"http://{(userInfo is null ? "" : userInfo + "@")}127.0.0.1:{Port}";

    /// <summary>What the proxy has logged so far.</summary>
    public string Log
    {
        get
        {
            var path = Path.Combine(_folder.Path, "tinyproxy.log");
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
    }

    /// <summary>Starts a proxy; with <paramref name="basicAuth"/> (<c>user password</c>) it requires those credentials.</summary>
    public static async Task<TinyproxyInstance> StartAsync(
        ITestOutputHelper? output = null,
        string? basicAuth = null
    )
    {
        var folder = new TempDirectory();
        // Run as root, tinyproxy drops to an unprivileged user, which must be able to write its log.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder.Path, (UnixFileMode)0b111_111_111);
        }
        var port = LoopbackPort.Unused();
        var runAsRoot = Environment.UserName == "root";
        var config = $"""
            Port {port}
            Listen 127.0.0.1
            Timeout 600
            MaxClients 50
            LogFile "{folder.Path}/tinyproxy.log"
            LogLevel Info
            PidFile "{folder.Path}/tinyproxy.pid"
            {(runAsRoot ? "User nobody\nGroup nogroup" : "")}
            {(basicAuth is null ? "" : "BasicAuth " + basicAuth)}
            """;
        var configPath = Path.Combine(folder.Path, "tinyproxy.conf");
        File.WriteAllText(configPath, config);
        var process = ChildProcess.Start(
            "tinyproxy",
            BuiltExecutable.FindOnPath("tinyproxy")!,
            ["-d", "-c", configPath],
            output: output
        );
        var proxy = new TinyproxyInstance(folder, process, port);
        await Wait.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException(
                        $"tinyproxy exited with {process.ExitCode}: {process.Output}"
                    );
                }
                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync("127.0.0.1", port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            Wait.Generous,
            () => $"tinyproxy to listen on {port}"
        );
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync();
        await _process.DisposeAsync();
        _folder.Dispose();
    }
}
