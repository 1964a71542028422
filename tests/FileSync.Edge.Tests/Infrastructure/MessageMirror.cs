using System.Text;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// Applies the sync messages a <see cref="RecordingUplink"/> captured to an in-memory file set, the way
/// a server would, so logic tests can compare "the server's copy" with the workspace.
/// </summary>
public static class MessageMirror
{
    /// <param name="messages">What the agent sent, in order.</param>
    /// <param name="initial">What the server held before (e.g. from an earlier connection).</param>
    public static Dictionary<string, byte[]> Apply(
        IEnumerable<ProtocolMessage> messages,
        IReadOnlyDictionary<string, string>? initial = null
    )
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (path, text) in initial ?? new Dictionary<string, string>())
        {
            files[path] = Encoding.UTF8.GetBytes(text);
        }
        foreach (var message in messages)
        {
            switch (message.Type)
            {
                case MessageTypes.FileCreateSync:
                case MessageTypes.FileModifySync:
                    var content = message.Payload.GetProperty("content").GetString()!;
                    files[message.Payload.GetProperty("relativePath").GetString()!] =
                        message.Payload.GetProperty("encoding").GetString() == "base64"
                            ? Convert.FromBase64String(content)
                            : Encoding.UTF8.GetBytes(content);
                    break;
                case MessageTypes.FileDeleteSync:
                    files.Remove(message.Payload.GetProperty("relativePath").GetString()!);
                    break;
            }
        }
        return files;
    }
}
