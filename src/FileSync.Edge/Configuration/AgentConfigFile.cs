using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using FileSync.Edge.Local;

namespace FileSync.Edge.Configuration;

/// <summary>
/// The agent's JSON config file: <c>$XDG_CONFIG_HOME/filesync-edge/config.json</c> (Linux),
/// <c>~/Library/Application Support/filesync-edge/config.json</c> (macOS), <c>%APPDATA%\filesync-edge\config.json</c>
/// (Windows), or the path in <c>FILESYNC_CONFIG</c> / <c>--config</c>. It uses the same keys as the
/// configuration sections (<c>Uplink</c>, <c>Sync</c>) plus <c>Workspaces</c>, which the agent rewrites
/// when the server chooses the workspaces (<see cref="WriteWorkspaces"/>).
/// </summary>
public static class AgentConfigFile
{
    public const string EnvironmentVariable = AgentConfigLocation.EnvironmentVariable;

    /// <summary>The key of the workspace list.</summary>
    public const string WorkspacesKey = "Workspaces";

    private static readonly JsonDocumentOptions s_readOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>FILESYNC_CONFIG, else the user's config dir (shared with the tray: <see cref="AgentConfigLocation"/>).</summary>
    public static string DefaultPath() => AgentConfigLocation.Resolve(null);

    /// <summary><paramref name="given"/> (<c>--config</c>) when set, else <see cref="DefaultPath()"/>.</summary>
    public static string DefaultPath(FileInfo? given) =>
        AgentConfigLocation.Resolve(given?.FullName);

    /// <summary>
    /// Reads the workspace list of the file: null when the file or the key is missing (nothing was
    /// ever chosen), otherwise the string entries (possibly none).
    /// </summary>
    public static IReadOnlyList<string>? ReadWorkspaces(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
        {
            return null;
        }
        using var document = JsonDocument.Parse(stream, s_readOptions);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (IsWorkspacesKey(property.Name))
            {
                return property.Value.ValueKind == JsonValueKind.Array
                    ?
                    [
                        .. property
                            .Value.EnumerateArray()
                            .Where(e => e.ValueKind == JsonValueKind.String)
                            .Select(e => e.GetString()!),
                    ]
                    : [];
            }
        }
        return null;
    }

    /// <summary>
    /// Replaces the file's workspace list, keeping every other key (comments are not kept). The new
    /// content is written to a temporary file next to it (mode 0600 on Unix: the file may hold the API
    /// key) and renamed over it, so a crash leaves either the old or the new file. A config file that is a
    /// symbolic link is written through the link.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="JsonException">The existing file is not a JSON object.</exception>
    public static void WriteWorkspaces(string path, IReadOnlyList<string> workspaces)
    {
        var target = Path.GetFullPath(path);
        var existing = new FileInfo(target);
        if (
            existing.Exists
            && existing.LinkTarget is not null
            && existing.ResolveLinkTarget(returnFinalTarget: true) is { } linked
        )
        {
            target = linked.FullName;
        }
        var directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(
                    directory,
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                );
            }
        }

        var content = new ArrayBufferWriter<byte>();
        using (
            var writer = new Utf8JsonWriter(
                content,
                new JsonWriterOptions
                {
                    Indented = true,
                    Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                }
            )
        )
        {
            writer.WriteStartObject();
            var written = false;
            var current = File.Exists(target) ? File.ReadAllBytes(target) : [];
            if (current.AsSpan().Trim(" \t\r\n"u8).Length > 0)
            {
                using var document = JsonDocument.Parse(current, s_readOptions);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new JsonException($"the config file '{target}' is not a JSON object");
                }
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!IsWorkspacesKey(property.Name))
                    {
                        property.WriteTo(writer);
                    }
                    else if (!written)
                    {
                        WriteList(writer, property.Name, workspaces);
                        written = true;
                    }
                }
            }
            if (!written)
            {
                WriteList(writer, WorkspacesKey, workspaces);
            }
            writer.WriteEndObject();
        }

        var temporary = Path.Combine(
            directory,
            $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp"
        );
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content.WrittenSpan);
                stream.Write("\n"u8);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void WriteList(
        Utf8JsonWriter writer,
        string name,
        IReadOnlyList<string> workspaces
    )
    {
        writer.WriteStartArray(name);
        foreach (var workspace in workspaces)
        {
            writer.WriteStringValue(workspace);
        }
        writer.WriteEndArray();
    }

    /// <summary>Configuration keys are case-insensitive, so is this one.</summary>
    private static bool IsWorkspacesKey(string name) =>
        name.Equals(WorkspacesKey, StringComparison.OrdinalIgnoreCase);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is harmless.
        }
    }
}
