using System.Text.Json;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Configuration;

namespace FileSync.Edge.Configuration;

/// <summary>
/// Reads the agent's config file once at start-up and checks everything the host would otherwise trip
/// over later (or silently ignore): the file must be readable, a JSON object (comments and trailing
/// commas allowed, as the configuration provider accepts them), with <c>Workspaces</c> an array of
/// strings, <c>Uplink</c>, <c>Sync</c> and <c>Control</c> objects, no key twice, and values the
/// configuration binder can convert (and a usable <c>Uplink:Fingerprint</c>). A missing file is not an error: the defaults apply, and the agent
/// creates the file when it has workspaces to remember (<see cref="AgentConfigFile.WriteWorkspaces"/>).
/// </summary>
public static class AgentConfigFileReader
{
    /// <summary>A config file is small; anything larger is most likely the wrong file.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The section of the control options (allowed roots); its values may be lists.</summary>
    public const string ControlSectionName = "Control";

    /// <summary>Sections that hold options; each must be a JSON object when present.</summary>
    public static readonly IReadOnlyList<string> Sections =
    [
        UplinkOptions.SectionName,
        SyncOptions.SectionName,
        ControlSectionName,
    ];

    /// <summary>What the JSON configuration provider accepts, so the check agrees with what the host reads.</summary>
    private static readonly JsonDocumentOptions s_options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads and checks the file at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigFileException">The file cannot be used; the message is one line naming it.</exception>
    public static AgentConfigFileContent Read(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (ReadBytes(fullPath) is not { } bytes)
        {
            return new AgentConfigFileContent(fullPath, null, null);
        }
        ReadOnlyMemory<byte> json = bytes.AsSpan().StartsWith("\uFEFF"u8)
            ? bytes.AsMemory(3)
            : bytes;
        if (json.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new ConfigFileException(
                fullPath,
                "the file is empty; it must hold a JSON object, e.g. {}"
            );
        }
        if (HoldsOnlyComments(json.Span))
        {
            throw new ConfigFileException(
                fullPath,
                "the file holds only comments; it must hold a JSON object, e.g. {}"
            );
        }
        IReadOnlyList<string>? workspaces;
        IReadOnlyList<string> unknownKeys;
        try
        {
            using var document = JsonDocument.Parse(json, s_options);
            workspaces = CheckShape(fullPath, document.RootElement);
            unknownKeys = ConfigFileKeys.Unknown(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new ConfigFileException(fullPath, ConfigFileProblems.DescribeSyntaxError(ex), ex);
        }
        CheckBinding(fullPath, json);
        return new AgentConfigFileContent(fullPath, json, workspaces) { UnknownKeys = unknownKeys };
    }

    /// <summary>The file's bytes, or null when it does not exist.</summary>
    private static byte[]? ReadBytes(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ConfigFileException(path, "the path is a directory, not a file");
        }
        try
        {
            using var stream = new FileStream(
                path,
                FileMode.Open,
                FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete
            );
            using var content = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                if (content.Length + read > MaxBytes)
                {
                    throw new ConfigFileException(
                        path,
                        $"the file is larger than {MaxBytes / 1024 / 1024} MB; is it the agent's config file?"
                    );
                }
                content.Write(buffer, 0, read);
            }
            return content.ToArray();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ConfigFileException(path, "the file cannot be read: permission denied", ex);
        }
        catch (IOException ex)
        {
            throw new ConfigFileException(
                path,
                $"the file cannot be read: {ConfigFileProblems.OneLine(ex.Message)}",
                ex
            );
        }
    }

    /// <summary>True for a file of comments (and white space) only, which the parser reports as "no JSON tokens".</summary>
    private static bool HoldsOnlyComments(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(
            json,
            new JsonReaderOptions { CommentHandling = JsonCommentHandling.Allow }
        );
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.Comment)
                {
                    return false;
                }
            }
            return true;
        }
        catch (JsonException)
        {
            // After the last comment the input ends (only white space left), or it holds something else.
            return reader.TokenType == JsonTokenType.Comment
                && json[(int)reader.BytesConsumed..].Trim(" \t\r\n"u8).IsEmpty;
        }
    }

    /// <summary>Checks the shape of the document; returns the workspace list (null when the key is missing).</summary>
    private static IReadOnlyList<string>? CheckShape(string path, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigFileException(
                path,
                $"the top level must be a JSON object ({{ ... }}), not {ConfigFileProblems.KindName(root.ValueKind)}"
            );
        }
        CheckNoDuplicateKeys(path, root, prefix: "");
        IReadOnlyList<string>? workspaces = null;
        foreach (var property in root.EnumerateObject())
        {
            if (IsKey(property.Name, AgentConfigFile.WorkspacesKey))
            {
                workspaces = ReadWorkspaceList(path, property);
            }
            else if (Sections.FirstOrDefault(s => IsKey(property.Name, s)) is { } section)
            {
                CheckSection(path, property, scalarValues: section != ControlSectionName);
            }
        }
        return workspaces;
    }

    private static List<string> ReadWorkspaceList(string path, JsonProperty property)
    {
        if (property.Value.ValueKind != JsonValueKind.Array)
        {
            throw new ConfigFileException(
                path,
                $"'{property.Name}' must be an array of folder paths (strings), not {ConfigFileProblems.KindName(property.Value.ValueKind)}"
            );
        }
        var list = new List<string>();
        var position = 0;
        foreach (var item in property.Value.EnumerateArray())
        {
            position++;
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new ConfigFileException(
                    path,
                    $"'{property.Name}' must be an array of folder paths (strings), but item {position} is {ConfigFileProblems.KindName(item.ValueKind)}"
                );
            }
            list.Add(item.GetString()!);
        }
        return list;
    }

    /// <summary>An options section must be an object; the options of <c>Uplink</c> and <c>Sync</c> are all single values.</summary>
    private static void CheckSection(string path, JsonProperty section, bool scalarValues)
    {
        if (section.Value.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigFileException(
                path,
                $"'{section.Name}' must be a JSON object ({{ ... }}), not {ConfigFileProblems.KindName(section.Value.ValueKind)}"
            );
        }
        if (!scalarValues)
        {
            return;
        }
        foreach (var property in section.Value.EnumerateObject())
        {
            if (IsKey($"{section.Name}:{property.Name}", SecretGuardAllowKey))
            {
                CheckStringList(path, $"{section.Name}:{property.Name}", property.Value);
                continue;
            }
            if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                throw new ConfigFileException(
                    path,
                    $"'{section.Name}:{property.Name}' must be a single value, not {ConfigFileProblems.KindName(property.Value.ValueKind)}"
                );
            }
        }
    }

    /// <summary>The one list among the single values of <c>Sync</c>: the secret guard's allow patterns.</summary>
    private const string SecretGuardAllowKey = "Sync:SecretGuardAllow";

    private static void CheckStringList(string path, string key, JsonElement value)
    {
        if (
            value.ValueKind != JsonValueKind.Array
            || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String)
        )
        {
            throw new ConfigFileException(
                path,
                $"'{key}' must be an array of path patterns (strings), such as [\"config/dev.env\", \"fixtures/**\"]"
            );
        }
    }

    /// <summary>Configuration keys are case-insensitive: a key given twice would make the configuration provider fail.</summary>
    private static void CheckNoDuplicateKeys(string path, JsonElement element, string prefix)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                CheckNoDuplicateKeys(path, item, prefix);
            }
            return;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            var key = prefix + property.Name;
            if (!seen.Add(property.Name))
            {
                throw new ConfigFileException(
                    path,
                    $"the key '{ConfigFileProblems.OneLine(key)}' appears twice (keys are case-insensitive)"
                );
            }
            CheckNoDuplicateKeys(path, property.Value, key + ":");
        }
    }

    /// <summary>Binds the options sections from the file alone, so a value the binder cannot convert names this file.</summary>
    private static void CheckBinding(string path, ReadOnlyMemory<byte> json)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder()
                .AddJsonStream(new MemoryStream(json.ToArray(), writable: false))
                .Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or JsonException)
        {
            // Anything else the configuration provider refuses (the checks above catch what is known).
            throw new ConfigFileException(
                path,
                ConfigFileProblems.OneLine(ConfigFileProblems.Innermost(ex).Message).TrimEnd('.'),
                ex
            );
        }
        UplinkOptions? uplink;
        try
        {
            _ = configuration.GetSection(SyncOptions.SectionName).Get<SyncOptions>();
            uplink = configuration.GetSection(UplinkOptions.SectionName).Get<UplinkOptions>();
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigFileException(path, ConfigFileProblems.DescribeBindingError(ex), ex);
        }
        // An empty identity means the default one; any other must be usable.
        if (
            uplink?.Fingerprint is { Length: > 0 } identity
            && MachineFingerprint.Validate(identity) is { } problem
        )
        {
            throw new ConfigFileException(
                path,
                $"'{UplinkOptions.SectionName}:{nameof(UplinkOptions.Fingerprint)}' (the identity) {problem}"
            );
        }
    }

    private static bool IsKey(string name, string key) =>
        name.Equals(key, StringComparison.OrdinalIgnoreCase);
}
