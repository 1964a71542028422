namespace FileSync.Protocol;

/// <summary>How frames are encoded on one connection.</summary>
public enum WireFormat
{
    /// <summary>UTF-8 JSON text messages (every server; the todoforai backend).</summary>
    Json,

    /// <summary>
    /// Binary messages, each one MessagePack map with the JSON form's keys; file content and hashes as
    /// bytes. Only with a server that announced <see cref="Capabilities.MessagePack"/>.
    /// </summary>
    MessagePack,
}
