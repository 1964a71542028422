using System.Text.Json;
using System.Text.Json.Serialization;

namespace FileSync.Protocol;

/// <summary>Source-generated (trim-safe) JSON metadata for every wire payload; internal: callers go through <see cref="ProtocolMessage"/>.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull
)]
[JsonSerializable(typeof(FileSyncPayload))]
[JsonSerializable(typeof(FileDeletePayload))]
[JsonSerializable(typeof(FileDonePayload))]
[JsonSerializable(typeof(SyncErrorPayload))]
[JsonSerializable(typeof(ConnectedEdgePayload))]
[JsonSerializable(typeof(ErrorPayload))]
[JsonSerializable(typeof(ConfigUpdatePayload))]
[JsonSerializable(typeof(WorkspacePathPayload))]
[JsonSerializable(typeof(ManifestPayload))]
[JsonSerializable(typeof(ManifestDiffPayload))]
[JsonSerializable(typeof(ChunkRequestPayload))]
[JsonSerializable(typeof(ChunkResultPayload))]
[JsonSerializable(typeof(StatusRequestPayload))]
[JsonSerializable(typeof(EdgeStatusPayload))]
[JsonSerializable(typeof(WorkspaceRequestPayload))]
[JsonSerializable(typeof(WorkspaceResultPayload))]
[JsonSerializable(typeof(ManifestTreePayload))]
[JsonSerializable(typeof(TreeRequestPayload))]
[JsonSerializable(typeof(TreeListingPayload))]
[JsonSerializable(typeof(IncomingFileSync))]
[JsonSerializable(typeof(IncomingFileDelete))]
[JsonSerializable(typeof(IncomingFileDone))]
[JsonSerializable(typeof(IncomingManifest))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
