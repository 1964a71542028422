namespace FileSync.Server.Mirror;

/// <summary>One file the edge has, per its manifest. A null hash or size is not compared.</summary>
internal readonly record struct ManifestItem(string RelativePath, string? Hash, long? Size);
