using System.Text.Json.Serialization;

namespace FileSync.Edge.Benchmarks.InProcess;

[JsonSerializable(typeof(JsonIndexFile.SavedIndex))]
internal sealed partial class JsonIndexFileContext : JsonSerializerContext;
