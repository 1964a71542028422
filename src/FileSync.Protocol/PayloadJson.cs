using System.Text.Json.Serialization.Metadata;

namespace FileSync.Protocol;

/// <summary>The source-generated JSON metadata of a payload type of this protocol.</summary>
internal static class PayloadJson
{
    public static JsonTypeInfo<T> Info<T>() =>
        ProtocolJsonContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new InvalidOperationException(
            $"{typeof(T).Name} is not a payload type of the protocol"
        );
}
