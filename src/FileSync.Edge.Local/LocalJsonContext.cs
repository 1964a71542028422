using System.Text.Json;
using System.Text.Json.Serialization;

namespace FileSync.Edge.Local;

/// <summary>Source-generated JSON for the local control protocol (trim- and AOT-safe).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull
)]
[JsonSerializable(typeof(LocalRequest))]
[JsonSerializable(typeof(LocalResponse))]
public sealed partial class LocalJsonContext : JsonSerializerContext;
