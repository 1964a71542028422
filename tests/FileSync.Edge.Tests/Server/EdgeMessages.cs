using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Server;

/// <summary>Builds edge → server frames as JSON text, with hash and size computed unless overridden.</summary>
internal static class EdgeMessages
{
    /// <summary>Absolute path of the test workspace "on the edge"; its folder name is <see cref="WorkspaceName"/>.</summary>
    public const string WorkspaceRoot = "/home/dev/proj";

    public const string WorkspaceName = "proj";

    public static string Sha256Hex(byte[] content) =>
        Convert.ToHexStringLower(SHA256.HashData(content));

    public static string Create(
        string relativePath,
        string text,
        string workspace = WorkspaceRoot
    ) =>
        FileSync(
            MessageTypes.FileCreateSync,
            relativePath,
            Encoding.UTF8.GetBytes(text),
            ContentEncodings.Utf8,
            workspace
        );

    public static string Modify(
        string relativePath,
        string text,
        string workspace = WorkspaceRoot
    ) =>
        FileSync(
            MessageTypes.FileModifySync,
            relativePath,
            Encoding.UTF8.GetBytes(text),
            ContentEncodings.Utf8,
            workspace
        );

    public static string CreateBinary(
        string relativePath,
        byte[] content,
        string workspace = WorkspaceRoot
    ) =>
        FileSync(
            MessageTypes.FileCreateSync,
            relativePath,
            content,
            ContentEncodings.Base64,
            workspace
        );

    /// <summary>A create/modify frame; <paramref name="hash"/> / <paramref name="size"/> override the true values.</summary>
    public static string FileSync(
        string type,
        string relativePath,
        byte[] content,
        string encoding,
        string? workspace = WorkspaceRoot,
        string? hash = null,
        long? size = null
    )
    {
        var payload = new JsonObject
        {
            ["path"] = (workspace ?? WorkspaceRoot) + "/" + relativePath,
            ["content"] =
                encoding == ContentEncodings.Base64
                    ? Convert.ToBase64String(content)
                    : Encoding.UTF8.GetString(content),
            ["edgeId"] = "edge-test",
            ["userId"] = "local",
            ["relativePath"] = relativePath,
            ["hash"] = hash ?? Sha256Hex(content),
            ["size"] = size ?? content.Length,
            ["encoding"] = encoding,
        };
        if (workspace is not null)
        {
            payload["workspace"] = workspace;
        }
        return Envelope(type, payload);
    }

    /// <summary>
    /// A sync frame as the todoforai clients send it: the file's absolute <c>path</c>, text
    /// <c>content</c> (none for a delete), <c>edgeId</c> and <c>userId</c> — no extension field.
    /// </summary>
    public static string PathOnly(string type, string path, string? content, string edgeId) =>
        Envelope(
            type,
            content is null
                ? new JsonObject
                {
                    ["path"] = path,
                    ["edgeId"] = edgeId,
                    ["userId"] = "local",
                }
                : new JsonObject
                {
                    ["path"] = path,
                    ["content"] = content,
                    ["edgeId"] = edgeId,
                    ["userId"] = "local",
                }
        );

    public static string Delete(string relativePath, string workspace = WorkspaceRoot) =>
        Envelope(
            MessageTypes.FileDeleteSync,
            new JsonObject
            {
                ["path"] = workspace + "/" + relativePath,
                ["edgeId"] = "edge-test",
                ["userId"] = "local",
                ["workspace"] = workspace,
                ["relativePath"] = relativePath,
            }
        );

    public static string Done(string workspace = WorkspaceRoot) =>
        Envelope(
            MessageTypes.FileDone,
            new JsonObject
            {
                ["path"] = workspace,
                ["edgeId"] = "edge-test",
                ["userId"] = "local",
                ["stats"] = new JsonObject
                {
                    ["filesSynced"] = 0,
                    ["filesSkipped"] = 0,
                    ["syncErrors"] = 0,
                    ["bytesSynced"] = 0,
                },
            }
        );

    /// <summary>A manifest chunk listing <paramref name="files"/> as (relativePath, content).</summary>
    public static string Manifest(
        IEnumerable<(string RelativePath, string Text)> files,
        int chunk = 0,
        bool last = true,
        string workspace = WorkspaceRoot,
        ContentHash? algorithm = null
    )
    {
        var entries = new JsonArray();
        foreach (var (relativePath, text) in files)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            entries.Add(
                new JsonObject
                {
                    ["relativePath"] = relativePath,
                    ["hash"] = (algorithm ?? ContentHash.Sha256).Compute(bytes),
                    ["size"] = bytes.Length,
                }
            );
        }
        return Envelope(
            MessageTypes.Manifest,
            new JsonObject
            {
                ["path"] = workspace,
                ["edgeId"] = "edge-test",
                ["userId"] = "local",
                ["files"] = entries,
                ["chunk"] = chunk,
                ["last"] = last,
            }
        );
    }

    public static string Envelope(string type, JsonNode? payload) =>
        new JsonObject { ["type"] = type, ["payload"] = payload }.ToJsonString();
}
