using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using FileSync.Edge.Protocol;

namespace FileSync.Server.Protocol;

internal static class ProtocolMessageExtensions
{
    /// <summary>
    /// <see cref="ProtocolMessage.TryReadPayload{T}"/> with a nullable annotation the compiler can
    /// follow (Core's <c>out T?</c> has no <c>[NotNullWhen(true)]</c>).
    /// </summary>
    public static bool TryRead<T>(
        this ProtocolMessage message,
        JsonTypeInfo<T> typeInfo,
        [NotNullWhen(true)] out T? value,
        out string error
    )
        where T : class =>
        message.TryReadPayload(typeInfo, out value, out error) && value is not null;
}
