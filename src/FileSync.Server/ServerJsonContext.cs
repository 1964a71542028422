using System.Text.Json;
using System.Text.Json.Serialization;
using FileSync.Server.Api;

namespace FileSync.Server;

/// <summary>Source-generated (trim-safe) JSON metadata for the server's own API and payload types.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull
)]
[JsonSerializable(typeof(ServerStatus))]
[JsonSerializable(typeof(ReplyRecord[]))]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(ApiKeyValidation))]
[JsonSerializable(typeof(EdgeConfigAnswer))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
