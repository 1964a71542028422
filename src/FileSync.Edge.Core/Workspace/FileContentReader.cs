using System.Security.Cryptography;
using FileSync.Edge.Filtering;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Reads and hashes one file with a stability check (size and mtime before and after the read).
/// Thread-safe; called from the hash workers.
/// </summary>
public sealed class FileContentReader(string rootPath, long maxFileBytes)
{
    private readonly WorkspaceFileOpener _opener = new(rootPath);
    private long _filesRead;

    /// <summary>Runs after a file's bytes are read and before its stability check (tests: change the file mid-read).</summary>
    internal Action<string>? AfterContentRead { get; set; }

    /// <summary>How many files have had their content read so far.</summary>
    public long FilesRead => Interlocked.Read(ref _filesRead);

    /// <summary>
    /// Reads <paramref name="relativePath"/>. When <paramref name="skipIfMatches"/> matches the file's size
    /// and mtime, nothing is read and its hash is returned as <see cref="FileReadStatus.Unchanged"/>. The
    /// bytes are kept in the result only when <paramref name="keepContent"/> is true.
    /// </summary>
    public FileReadResult Read(string relativePath, FileEntry? skipIfMatches, bool keepContent)
    {
        var fullPath = WorkspacePaths.ToFullPath(rootPath, relativePath);
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                return new FileReadResult(relativePath, Directory.Exists(fullPath) ? FileReadStatus.NotAFile : FileReadStatus.Missing);
            }
            if (info.LinkTarget is not null || (info.Attributes & (FileAttributes.ReparsePoint | FileAttributes.Device)) != 0)
            {
                return new FileReadResult(relativePath, FileReadStatus.NotAFile);
            }
            var size = info.Length;
            var mtime = info.LastWriteTimeUtc.Ticks;
            if (size > maxFileBytes)
            {
                return new FileReadResult(relativePath, FileReadStatus.TooLarge) { Size = size, MtimeTicks = mtime };
            }
            if (skipIfMatches is { } k && k.Size == size && k.MtimeTicks == mtime)
            {
                return new FileReadResult(relativePath, FileReadStatus.Unchanged) { Size = size, MtimeTicks = mtime, Hash = k.Hash };
            }
            return ReadContent(relativePath, fullPath, size, mtime, keepContent);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new FileReadResult(relativePath, FileReadStatus.Missing);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return new FileReadResult(relativePath, FileReadStatus.Unreadable) { Error = ex.Message };
        }
    }

    private FileReadResult ReadContent(string relativePath, string fullPath, long size, long mtime, bool keepContent)
    {
        byte[] buffer;
        int length;
        var outcome = _opener.Open(fullPath, out var handle);
        if (outcome != FileOpenOutcome.Opened)
        {
            // A FIFO or device is never read (it could block); a file that resolves outside the workspace never either.
            return new FileReadResult(relativePath, outcome == FileOpenOutcome.OutsideWorkspace ? FileReadStatus.OutsideWorkspace : FileReadStatus.NotAFile);
        }
        using (var stream = new FileStream(handle!, FileAccess.Read, bufferSize: 0))
        {
            Interlocked.Increment(ref _filesRead);
            // Read up to one byte past the limit so growth during the read is noticed.
            buffer = new byte[(int)Math.Min(maxFileBytes + 1, Math.Max(size, 0) + 1)];
            length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }
            if (length == buffer.Length && length <= maxFileBytes)
            {
                // The file grew while we read; the next batch sees the final state.
                return new FileReadResult(relativePath, FileReadStatus.Unstable) { Size = size, MtimeTicks = mtime };
            }
        }

        AfterContentRead?.Invoke(fullPath);
        if (length > maxFileBytes)
        {
            return new FileReadResult(relativePath, FileReadStatus.TooLarge) { Size = length, MtimeTicks = mtime };
        }

        var after = new FileInfo(fullPath);
        if (!after.Exists)
        {
            return new FileReadResult(relativePath, FileReadStatus.Missing);
        }
        if (after.Length != length || after.LastWriteTimeUtc.Ticks != mtime || length != size)
        {
            return new FileReadResult(relativePath, FileReadStatus.Unstable) { Size = after.Length, MtimeTicks = after.LastWriteTimeUtc.Ticks };
        }

        var content = buffer.AsSpan(0, length);
        if (BinaryContent.LooksBinary(content))
        {
            return new FileReadResult(relativePath, FileReadStatus.Binary) { Size = length, MtimeTicks = mtime };
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        return new FileReadResult(relativePath, FileReadStatus.Ok)
        {
            Size = length,
            MtimeTicks = mtime,
            Hash = hash,
            Content = keepContent ? content.ToArray() : null,
        };
    }
}
