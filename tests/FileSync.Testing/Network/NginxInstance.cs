using System.Net.Sockets;
using Xunit.Abstractions;

namespace FileSync.Testing.Network;

/// <summary>
/// A private nginx (the Debian package's binary) run in the foreground with a config of the caller's
/// making, in its own temp folder, on loopback ports the caller chose (<see cref="LoopbackPort.Unused"/>):
/// for TLS termination, gateways answering 401/403, throttled <c>stream</c> listeners. Its error and
/// access logs are in <see cref="Folder"/>. Disposing stops it and deletes the folder.
/// </summary>
public sealed class NginxInstance : IAsyncDisposable
{
    /// <summary>Where Debian installs nginx.</summary>
    public const string Executable = "/usr/sbin/nginx";

    private const string StreamModule = "/usr/lib/nginx/modules/ngx_stream_module.so";

    private readonly TempDirectory _folder;
    private readonly ChildProcess _process;

    private NginxInstance(TempDirectory folder, ChildProcess process)
    {
        _folder = folder;
        _process = process;
    }

    /// <summary>Why nginx cannot run here, or null when it can (for a visible skip).</summary>
    public static string? MissingReason =>
        File.Exists(Executable)
            ? null
            : $"nginx is not installed ({Executable}; Debian package nginx, which .ci/run installs)";

    /// <summary>The folder holding the config, the logs and whatever the caller put there (certificates).</summary>
    public string Folder => _folder.Path;

    public string ErrorLogPath => Path.Combine(Folder, "error.log");

    public string AccessLogPath => Path.Combine(Folder, "access.log");

    /// <summary>The access log so far (one line per request, nginx's <c>combined</c> format).</summary>
    public string AccessLog => File.Exists(AccessLogPath) ? File.ReadAllText(AccessLogPath) : "";

    public string ErrorLog => File.Exists(ErrorLogPath) ? File.ReadAllText(ErrorLogPath) : "";

    /// <summary>
    /// Starts nginx with <paramref name="httpBody"/> inside its <c>http { }</c> block (server blocks,
    /// maps) and <paramref name="streamBody"/>, when given, inside a <c>stream { }</c> block; returns once
    /// every port in <paramref name="ports"/> accepts connections. The temp paths, logs and pid file are
    /// set here; <c>{folder}</c> in either body is replaced by <see cref="Folder"/>.
    /// <paramref name="prepare"/> may write files (certificates) into the folder before nginx starts.
    /// </summary>
    public static async Task<NginxInstance> StartAsync(
        string httpBody,
        IReadOnlyList<int> ports,
        ITestOutputHelper? output = null,
        string? streamBody = null,
        Action<string>? prepare = null
    )
    {
        var folder = new TempDirectory(inMemory: false, prefix: "filesync-nginx-");
        try
        {
            prepare?.Invoke(folder.Path);
            var config = Path.Combine(folder.Path, "nginx.conf");
            File.WriteAllText(config, Config(folder.Path, httpBody, streamBody));
            var process = ChildProcess.Start(
                "nginx",
                Executable,
                ["-p", folder.Path, "-c", config, "-e", Path.Combine(folder.Path, "error.log")],
                output: output
            );
            var instance = new NginxInstance(folder, process);
            try
            {
                await Wait.UntilAsync(
                    async () => process.HasExited || await AllAcceptAsync(ports),
                    Wait.Generous,
                    () => $"nginx to listen on {string.Join(", ", ports)}"
                );
                if (process.HasExited)
                {
                    throw new InvalidOperationException(
                        $"nginx exited with {process.ExitCode}: {process.Output}\n{instance.ErrorLog}"
                    );
                }
                return instance;
            }
            catch
            {
                await instance.DisposeAsync();
                throw;
            }
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    private static string Config(string folder, string httpBody, string? streamBody)
    {
        // As root the workers would switch to nobody, who cannot read the test's private folder.
        var user = BuiltExecutable.IsRoot ? "user root;\n" : "";
        var stream = streamBody is null
            ? ""
            : $"stream {{\n{streamBody.Replace("{folder}", folder, StringComparison.Ordinal)}\n}}\n";
        var module = streamBody is null ? "" : $"load_module {StreamModule};\n";
        return $$"""
            {{module}}{{user}}daemon off;
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log info;
            events { worker_connections 256; }
            {{stream}}http {
                access_log {{folder}}/access.log;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
            {{httpBody.Replace("{folder}", folder, StringComparison.Ordinal)}}
            }
            """;
    }

    private static async Task<bool> AllAcceptAsync(IReadOnlyList<int> ports)
    {
        foreach (var port in ports)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            }
            catch (SocketException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The usual block that passes a WebSocket upgrade on to <paramref name="upstream"/> (its host and port, over plain HTTP).</summary>
    public static string WebSocketProxyLocation(string path, Uri upstream) =>
        $$"""
                location {{path}} {
                    proxy_pass http://{{upstream.Host}}:{{upstream.Port}};
                    proxy_http_version 1.1;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection "upgrade";
                    proxy_set_header Host $host;
                    proxy_read_timeout 300s;
                }
            """;

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(TimeSpan.FromSeconds(5));
        await _process.DisposeAsync();
        _folder.Dispose();
    }
}
