using System.Net.Sockets;
using Xunit.Abstractions;

namespace FileSync.Testing.Network;

/// <summary>
/// A private tinyproxy (Debian package tinyproxy) in the foreground on a loopback port of its own: an
/// HTTP forward proxy that tunnels <c>CONNECT</c>, optionally asking for basic credentials (it then
/// answers 407 without them). Disposing stops it and deletes its folder.
/// </summary>
public sealed class ForwardProxyInstance : IAsyncDisposable
{
    public const string Executable = "/usr/bin/tinyproxy";

    private readonly TempDirectory _folder;
    private readonly ChildProcess _process;

    private ForwardProxyInstance(TempDirectory folder, ChildProcess process, int port)
    {
        _folder = folder;
        _process = process;
        Port = port;
    }

    /// <summary>Why tinyproxy cannot run here, or null when it can (for a visible skip).</summary>
    public static string? MissingReason =>
        File.Exists(Executable)
            ? null
            : $"tinyproxy is not installed ({Executable}; Debian package tinyproxy, which .ci/run installs)";

    public int Port { get; }

    /// <summary>The proxy's URL, without credentials: <c>http://127.0.0.1:port</c>.</summary>
    public Uri Uri => new($"http://127.0.0.1:{Port}");

    /// <summary>What the proxy logged so far (connects, denials).</summary>
    public string Log => _process.Output;

    /// <summary>Starts tinyproxy; with <paramref name="user"/> and <paramref name="password"/> it requires them (407 otherwise).</summary>
    public static async Task<ForwardProxyInstance> StartAsync(
        ITestOutputHelper? output = null,
        string? user = null,
        string? password = null
    )
    {
        var folder = new TempDirectory(inMemory: false, prefix: "filesync-proxy-");
        var port = LoopbackPort.Unused();
        var config = Path.Combine(folder.Path, "tinyproxy.conf");
        // tinyproxy refuses to run as root without a user to switch to; it logs to stderr with -d.
        var identity = BuiltExecutable.IsRoot ? "User nobody\nGroup nogroup\n" : "";
        var credentials = user is null ? "" : $"BasicAuth {user} {password}\n";
        File.WriteAllText(
            config,
            $"""
            {identity}Port {port}
            Listen 127.0.0.1
            Timeout 60
            MaxClients 50
            LogLevel Info
            Allow 127.0.0.1
            {credentials}
            """
        );
        var process = ChildProcess.Start(
            "tinyproxy",
            Executable,
            ["-d", "-c", config],
            output: output
        );
        var proxy = new ForwardProxyInstance(folder, process, port);
        try
        {
            await Wait.UntilAsync(
                async () => process.HasExited || await AcceptsAsync(port),
                Wait.Generous,
                () => $"tinyproxy to listen on {port}"
            );
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"tinyproxy exited with {process.ExitCode}: {process.Output}"
                );
            }
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(TimeSpan.FromSeconds(5));
        await _process.DisposeAsync();
        _folder.Dispose();
    }
}
