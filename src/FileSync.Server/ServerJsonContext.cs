using System.Text.Json;
using System.Text.Json.Serialization;
using FileSync.Server.Api;
using FileSync.Server.Protocol;

namespace FileSync.Server;

/// <summary>Source-generated (trim-safe) JSON metadata for the server's own API and payload types.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull
)]
[JsonSerializable(typeof(ConfigUpdateReply))]
[JsonSerializable(typeof(ServerStatus))]
[JsonSerializable(typeof(ReplyRecord[]))]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(IncomingFileSync))]
[JsonSerializable(typeof(IncomingFileDelete))]
[JsonSerializable(typeof(IncomingFileDone))]
[JsonSerializable(typeof(IncomingManifest))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
