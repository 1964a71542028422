using System.Text;
using System.Text.Json;
using FileSync.Edge.Control;
using FileSync.Edge.Tests.Infrastructure;
using FileSync.Edge.Workspace;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FileSync.Edge.Tests.Control;

/// <summary>
/// The control stage without a socket: commands are handed to <see cref="ControlDispatcher.DispatchAsync"/>
/// and replies are read from a recording uplink. Workspaces are real folders with real managers
/// (fake watchers), so reads, listings and starts/stops are real. The classes deriving from it are
/// named after the part that carries the command out (<see cref="WorkspaceCommands"/>,
/// <see cref="FileRequestHandler"/>, <see cref="WorkspaceRequestHandler"/>, <see cref="EdgeStatusReporter"/>,
/// <see cref="RememberedWorkspaces"/>) or, for envelopes and routing, the dispatcher itself. The members
/// keep the names the tests used when they were one class, so the moved tests read unchanged.
/// </summary>
public abstract class ControlDispatcherFixture(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] ReplyTypes =
    [
        MessageTypes.Error,
        MessageTypes.SyncError,
        MessageTypes.ChunkResult,
        MessageTypes.WorkspaceResult,
        MessageTypes.EdgeStatus,
    ];

    protected readonly TempDirectory _scratch = new();
    protected readonly RecordingUplink _uplink = new();
    protected readonly MemoryWorkspaceStore _store = new();
    private readonly List<WorkspaceRegistry> _registries = [];
    protected LogSink _logs = null!;
    protected ILoggerFactory _loggerFactory = null!;
    protected WorkspaceRegistry _registry = null!;
    private ControlDispatcher _dispatcher = null!;
    protected string _a = "";
    protected string _b = "";
    protected string _outside = "";

    public async Task InitializeAsync()
    {
        _a = Path.Combine(_scratch.Path, "ws-a");
        _b = Path.Combine(_scratch.Path, "ws-b");
        _outside = Path.Combine(_scratch.Path, "outside");
        _scratch.Write("ws-a/hello.txt", "hello");
        _scratch.Write("ws-a/sub/deep.txt", "deep");
        _scratch.Write("ws-a/.gitignore", ".env\n");
        _scratch.Write("ws-a/.env", "SECRET=1");
        File.WriteAllBytes(Path.Combine(_a, "latin1.txt"), [0x63, 0x61, 0x66, 0xE9]);
        File.WriteAllBytes(Path.Combine(_a, "bin.dat"), [1, 0, 2]);
        File.WriteAllText(Path.Combine(_a, "big.txt"), new string('x', 1001));
        _scratch.Write("ws-b/b.txt", "b");
        _scratch.Write("outside/canary.txt", "never read");
        _logs = new LogSink(output);
        _loggerFactory = LoggerFactory.Create(builder =>
            builder.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs)
        );
        (_registry, _dispatcher) = Create(new SyncOptions { MaxFileBytes = 1000 });
        _uplink.Connect();
        var (workspace, rejection) = await _registry.AddAsync(_a);
        Assert.True(workspace is not null, rejection?.Message);
        await workspace.InitialSyncCompleted.WaitAsync(Wait.Generous);
    }

    public async Task DisposeAsync()
    {
        foreach (var registry in _registries)
        {
            await registry.DisposeAsync();
        }
        _loggerFactory.Dispose();
        _scratch.Dispose();
    }

    protected (WorkspaceRegistry Registry, ControlDispatcher Dispatcher) Create(SyncOptions options)
    {
        options.BatchMilliseconds = 20;
        options.SettleMilliseconds = 0;
        options.RescanMinutes = 0;
        var (registry, dispatcher) = ControlStack.Create(
            _uplink,
            _loggerFactory,
            options,
            new ControlOptions { AllowedRoots = [_scratch.Path] },
            _store
        );
        _registries.Add(registry);
        return (registry, dispatcher);
    }

    /// <summary>Parses <paramref name="json"/> as the uplink would, dispatches it and returns the replies it caused.</summary>
    protected async Task<List<ProtocolMessage>> SendAsync(
        string json,
        ControlDispatcher? dispatcher = null
    )
    {
        var before = _uplink.Sent.Count;
        var message = ProtocolMessage.TryParse(
            Encoding.UTF8.GetBytes(json),
            out var parsed,
            out var error
        )
            ? parsed
            : ProtocolMessage.Malformed(error);
        await (dispatcher ?? _dispatcher).DispatchAsync(message).WaitAsync(Wait.Generous);
        return [.. _uplink.Sent.Skip(before).Where(m => ReplyTypes.Contains(m.Type))];
    }

    protected static string Quote(string value) => "\"" + JsonEncodedText.Encode(value) + "\"";

    protected static string Command(string type, string payload) =>
        $$"""{"type":"{{type}}","payload":{{payload}}}""";

    protected static string PathCommand(string type, string path) =>
        Command(type, $$"""{"path":{{Quote(path)}}}""");

    protected static string ChunkRequest(string path, string requestId = "r1") =>
        Command(
            MessageTypes.ChunkRequest,
            $$"""{"path":{{Quote(path)}},"requestId":{{Quote(requestId)}}}"""
        );

    protected static string? Text(ProtocolMessage message, string property) =>
        message.Payload.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    protected IReadOnlyList<string> ActiveRoots =>
        [.. _registry.Workspaces.Select(w => w.RootPath)];

    protected static ProtocolMessage Parse(byte[] frame) =>
        ProtocolMessage.TryParse(frame, out var message, out var error)
            ? message
            : throw new InvalidOperationException(error);

    /// <summary>An in-memory <see cref="IWorkspaceListStore"/>.</summary>
    protected sealed class MemoryWorkspaceStore : IWorkspaceListStore
    {
        public List<string> Saved { get; set; } = [];

        public int Saves { get; private set; }

        public bool Fail { get; set; }

        public IReadOnlyList<string> Load() =>
            Fail ? throw new IOException("disk full") : [.. Saved];

        public void Save(IReadOnlyList<string> workspaces)
        {
            if (Fail)
            {
                throw new IOException("disk full");
            }
            Saved = [.. workspaces];
            Saves++;
        }
    }
}
