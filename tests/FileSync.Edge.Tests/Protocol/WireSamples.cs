using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Protocol;

/// <summary>
/// One sample payload per message type of <see cref="MessageTypes"/>, with every field set, written the
/// way its sender writes it and read the way its receiver reads it. <see cref="PayloadDeclarationTests"/>
/// walks this list: a message type without a sample, a payload missing from the serializer context or
/// a field one wire format loses fails there.
/// </summary>
internal static class WireSamples
{
    private const string Hash = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";

    /// <summary>The file content of the file sync samples: not ASCII, so encodings show.</summary>
    public static readonly byte[] Content = Encoding.UTF8.GetBytes("x = \"ü\"\n");

    public static IReadOnlyDictionary<string, WireSample> ByType { get; } =
        new[]
        {
            FileSync(MessageTypes.FileCreateSync),
            FileSync(MessageTypes.FileModifySync),
            WireSample
                .Of(
                    MessageTypes.FileDeleteSync,
                    new FileDeletePayload
                    {
                        Path = "/w/a.txt",
                        EdgeId = "e",
                        UserId = "u",
                        Workspace = "/w",
                        RelativePath = "a.txt",
                    }
                )
                .ReadAs<IncomingFileDelete>(),
            WireSample
                .Of(
                    MessageTypes.FileDone,
                    new FileDonePayload
                    {
                        Path = "/w",
                        EdgeId = "e",
                        UserId = "u",
                        Stats = new SyncStats
                        {
                            FilesSynced = 3,
                            FilesSkipped = 1,
                            SyncErrors = 2,
                            BytesSynced = 1234,
                        },
                    }
                )
                // The server marks the workspace done; the stats are for people reading its log.
                .ReadAs<IncomingFileDone>(notRead: ["stats"]),
            WireSample.Of(
                MessageTypes.SyncError,
                new SyncErrorPayload
                {
                    Path = "/w",
                    Code = ErrorCodes.TooManyFiles,
                    Message = "too many",
                    EdgeId = "e",
                    UserId = "u",
                    Count = 2001,
                    Limit = 2000,
                }
            ),
            Manifest(),
            WireSample.Of(
                MessageTypes.ManifestTree,
                new ManifestTreePayload
                {
                    Path = "/w",
                    EdgeId = "e",
                    UserId = "u",
                    Digest = Hash,
                    Files = 12,
                }
            ),
            WireSample.Of(
                MessageTypes.TreeListing,
                new TreeListingPayload
                {
                    Path = "/w",
                    EdgeId = "e",
                    UserId = "u",
                    Dirs =
                    [
                        new TreeListingDirectory
                        {
                            Dir = "src",
                            Files =
                            [
                                new TreeListingFile
                                {
                                    Name = "a.cs",
                                    Hash = Hash,
                                    Size = 9,
                                },
                            ],
                            Subdirs = [new TreeListingSubdirectory { Name = "x", Digest = Hash }],
                        },
                    ],
                    Subtrees =
                    [
                        new TreeListingDirectory
                        {
                            Dir = "lib",
                            Files = [],
                            Subdirs = [],
                        },
                    ],
                    Last = false,
                }
            ),
            ChunkResult(MessageTypes.ChunkResult),
            ChunkResult(MessageTypes.FrontendChunkResult),
            WireSample.Of(
                MessageTypes.EdgeStatus,
                new EdgeStatusPayload
                {
                    RequestId = "r-1",
                    EdgeId = "e",
                    Version = "1.0",
                    ConnectedSeconds = 12.5,
                    Workspaces =
                    [
                        new WorkspaceStatus
                        {
                            Path = "/w/ü",
                            State = "syncing",
                            Files = 3,
                            Bytes = long.MaxValue,
                            Skipped = 1,
                            FilesRead = 4,
                            Errors = 1,
                            LastError = "x",
                            ErrorFiles = [new FileProblem("a", "b")],
                            SkippedFiles = [new FileProblem("c", "d")],
                            InFlightFiles = 1,
                            InFlightBytes = 2,
                            Withheld = 1,
                            WithheldFiles = [new FileProblem("e", "f")],
                            Progress = new WorkspaceSyncProgress
                            {
                                FilesDone = 1,
                                FilesTotal = 2,
                                BytesDone = 3,
                                BytesTotal = 4,
                            },
                        },
                    ],
                }
            ),
            WireSample.Of(
                MessageTypes.WorkspaceResult,
                new WorkspaceResultPayload
                {
                    RequestId = "r-2",
                    Path = "/w",
                    Files = ["a.txt"],
                    Error = "e",
                    Code = ErrorCodes.NotFound,
                    UserId = "u",
                    AgentId = "a",
                    ProjectFiles = ["/w/a.txt"],
                    FilteredFiles = ["/w/b.log"],
                    FilteredDirs = ["/w/bin"],
                }
            ),
            WireSample.Of(
                MessageTypes.ConnectedEdge,
                new ConnectedEdgePayload
                {
                    EdgeId = "e",
                    UserId = "u",
                    Capabilities = [Capabilities.Manifest, Capabilities.MessagePack],
                }
            ),
            Error(MessageTypes.Error),
            Error(MessageTypes.ErrorUpperCase),
            WireSample.Of(
                MessageTypes.ConfigUpdate,
                new ConfigUpdatePayload
                {
                    EdgeId = "e",
                    WorkspacePaths = ["/w", "/v"],
                    Name = "n",
                    OwnerId = "o",
                    IsShellEnabled = false,
                    IsFileSystemEnabled = true,
                }
            ),
            WorkspacePath(MessageTypes.SyncStart),
            WorkspacePath(MessageTypes.SyncStop),
            WorkspacePath(MessageTypes.Resync),
            WorkspacePath(MessageTypes.FileDoneAck),
            WireSample.Of(
                MessageTypes.ManifestDiff,
                new ManifestDiffPayload
                {
                    Path = "/w",
                    Need = ["a.txt", "b/c.txt"],
                    Refused = [new ManifestRefusal("d.txt", ErrorCodes.UnsupportedName, "no")],
                }
            ),
            WireSample.Of(
                MessageTypes.TreeRequest,
                new TreeRequestPayload
                {
                    Path = "/w",
                    Dirs = ["", "src"],
                    Subtrees = ["lib"],
                }
            ),
            ChunkRequest(MessageTypes.ChunkRequest),
            ChunkRequest(MessageTypes.FrontendChunkRequest),
            WireSample.Of(
                MessageTypes.StatusRequest,
                new StatusRequestPayload { RequestId = "r-3" }
            ),
            WireSample.Of(
                MessageTypes.WorkspaceRequest,
                new WorkspaceRequestPayload
                {
                    Path = "/w",
                    RequestId = "r-4",
                    UserId = "u",
                    AgentId = "a",
                }
            ),
        }.ToDictionary(s => s.Type, StringComparer.Ordinal);

    private static WireSample FileSync(string type)
    {
        var fields = new FileSyncPayload
        {
            Path = "/w/a.py",
            Content = "",
            EdgeId = "e",
            UserId = "u",
            Workspace = "/w",
            RelativePath = "a.py",
            Hash = Hash,
            Size = Content.Length,
            Encoding = "",
        };
        // Written by SyncFrames: content as text in JSON, as raw bytes (hash too) in MessagePack.
        return WireSample
            .Of(type, fields, format => SyncFrames.FileSync(format, type, fields, Content)!)
            .ReadAs<IncomingFileSync>() with
        {
            PerFormat = ["encoding"],
        };
    }

    private static WireSample Manifest()
    {
        var manifest = new ManifestPayload
        {
            Path = "/w",
            EdgeId = "e",
            UserId = "u",
            Files = [new ManifestEntry("a.py", Hash, 9), new ManifestEntry("b/ü.txt", Hash, 0)],
            Chunk = 2,
            Last = false,
        };
        return WireSample
            .Of(MessageTypes.Manifest, manifest, format => SyncFrames.Manifest(format, manifest))
            .ReadAs<IncomingManifest>();
    }

    private static WireSample ChunkResult(string type) =>
        WireSample.Of(
            type,
            new ChunkResultPayload
            {
                RequestId = "r",
                Path = "a.txt",
                FullPath = "/w/a.txt",
                Content = "text",
                ContentType = "text/plain",
                Encoding = ContentEncodings.Utf8,
                Error = "none",
                Code = ErrorCodes.NotFound,
            }
        );

    private static WireSample Error(string type) =>
        WireSample.Of(
            type,
            new ErrorPayload
            {
                Message = "m",
                Code = ErrorCodes.InvalidPayload,
                Command = MessageTypes.ChunkRequest,
                RequestId = "r",
                MessageType = MessageTypes.FileCreateSync,
                Path = "/w/a",
                RelativePath = "a",
            }
        );

    private static WireSample WorkspacePath(string type) =>
        WireSample.Of(type, new WorkspacePathPayload { Path = "/w" });

    private static WireSample ChunkRequest(string type) =>
        WireSample.Of(
            type,
            new ChunkRequestPayload
            {
                Path = "a.txt",
                RequestId = "r",
                RootPath = "/w",
                FallbackRootPaths = ["/v", null],
            }
        );
}

/// <summary>One message type's sample: how it is written in each wire format and read by its receiver.</summary>
/// <param name="PayloadType">The record the sender writes.</param>
/// <param name="Write">The frame its sender writes in a wire format.</param>
/// <param name="Read">What its receiver reads from a parsed frame, as JSON (null and the reason when it cannot).</param>
/// <param name="ReadType">The record its receiver reads (<paramref name="PayloadType"/> or a lenient view).</param>
/// <param name="NotRead">Fields of <paramref name="PayloadType"/> that the view leaves out on purpose.</param>
/// <param name="PerFormat">Fields whose value says which wire format carried the frame (a file's <c>encoding</c>).</param>
internal sealed record WireSample(
    string Type,
    Type PayloadType,
    Func<WireFormat, byte[]> Write,
    Func<ProtocolMessage, (JsonElement? Value, string Error)> Read,
    Type ReadType,
    IReadOnlyList<string> NotRead,
    IReadOnlyList<string> PerFormat
)
{
    public override string ToString() => Type;

    public static WireSample Of<T>(string type, T payload, Func<WireFormat, byte[]>? write = null)
        where T : class =>
        new(
            type,
            typeof(T),
            write ?? (format => ProtocolMessage.Serialize(type, payload, format)),
            ReadAsJson<T>,
            typeof(T),
            [],
            []
        );

    /// <summary>The receiver reads <typeparamref name="TView"/> (the server's lenient view) instead.</summary>
    public WireSample ReadAs<TView>(IReadOnlyList<string>? notRead = null)
        where TView : class =>
        this with
        {
            Read = ReadAsJson<TView>,
            ReadType = typeof(TView),
            NotRead = notRead ?? [],
        };

    private static (JsonElement? Value, string Error) ReadAsJson<T>(ProtocolMessage message)
        where T : class
    {
        if (!message.TryReadPayload<T>(out var value, out var error))
        {
            return (null, error);
        }
        var json = JsonSerializer.SerializeToElement(value, PayloadJson.Info<T>());
        if (value is IncomingFileSync { RawContent: { } raw })
        {
            // The MessagePack form's bytes, shown as the JSON form shows them (this sample is UTF-8 text).
            var node = JsonNode.Parse(json.GetRawText())!.AsObject();
            node["content"] = Encoding.UTF8.GetString(raw.Span);
            json = JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();
        }
        return (json, "");
    }
}
