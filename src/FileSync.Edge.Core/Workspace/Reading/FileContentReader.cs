using System.Buffers;
using FileSync.Edge.Filtering;
using FileSync.Edge.Filtering.Secrets;
using FileSync.Protocol;
using Microsoft.Win32.SafeHandles;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Reads and hashes one file with a stability check (its whole stamp before and after the read), and
/// withholds what the <see cref="SecretGuard"/> refuses: by name before the read, by content on the bytes
/// read for hashing. Thread-safe; called from the hash workers.
/// </summary>
/// <param name="caseInsensitiveDisk">The disk finds a file under any case of its name: a path is read only
/// in its exact spelling (default: <see cref="PathComparer.IgnoreCase"/>; see <see cref="DiskNames"/>).</param>
public sealed class FileContentReader(
    string rootPath,
    long maxFileBytes,
    TimeProvider? timeProvider = null,
    SecretGuard? secretGuard = null,
    bool? caseInsensitiveDisk = null
)
{
    private readonly SecretGuard _guard = secretGuard ?? SecretGuard.Off;
    private readonly bool _caseInsensitiveDisk = caseInsensitiveDisk ?? PathComparer.IgnoreCase;

    // The wall clock, not a test clock: the racy check compares it with the file system's own timestamps.
    private readonly TimeProvider _wallClock = timeProvider ?? TimeProvider.System;
    private readonly WorkspaceFileOpener _opener = new(rootPath);
    private long _filesRead;

    /// <summary>Runs after a file's bytes are read and before its stability check (tests: change the file mid-read).</summary>
    internal Action<string>? AfterContentRead { get; set; }

    /// <summary>A content hash as lowercase hex.</summary>
    internal delegate string HashFunction(ReadOnlySpan<byte> content);

    /// <summary>
    /// Replaces <see cref="Algorithm"/> for the benchmark harness only, which runs this same read path
    /// with other hash functions to compare them (<c>run.sh --hash-only</c>).
    /// </summary>
    internal HashFunction? Hash { get; init; }

    private volatile ContentHash _algorithm = ContentHash.Sha256;

    /// <summary>
    /// The content hash of every file read from now on: SHA-256 until the workspace's session says
    /// otherwise (<see cref="ContentHash.For"/>). Changed by the workspace's loop between reads.
    /// </summary>
    public ContentHash Algorithm
    {
        get => _algorithm;
        set => _algorithm = value;
    }

    /// <summary>How many files have had their content read so far.</summary>
    public long FilesRead => Interlocked.Read(ref _filesRead);

    /// <summary>
    /// Reads <paramref name="relativePath"/>. When <paramref name="skipIfMatches"/> matches the file
    /// conclusively (size, mtime, ctime and file id equal, and the entry not racy: see
    /// <see cref="FileEntry.IsConclusiveMatch"/>), nothing is read and its hash is returned as
    /// <see cref="FileReadStatus.Unchanged"/>. The bytes are kept in the result only when
    /// <paramref name="keepContent"/> is true.
    /// </summary>
    public FileReadResult Read(string relativePath, FileEntry? skipIfMatches, bool keepContent) =>
        Read(relativePath, skipIfMatches, keepContent, sameStampSuffices: false);

    /// <param name="sameStampSuffices">
    /// An equal stamp is enough even for a racy entry: the entry was recorded moments ago in the same pass
    /// (the manifest pass's held content), and a change since then is reported by the watcher.
    /// </param>
    public FileReadResult Read(
        string relativePath,
        FileEntry? skipIfMatches,
        bool keepContent,
        bool sameStampSuffices
    )
    {
        try
        {
            // The entry this wire name stands for (an NFD name on disk, only the exact case).
            if (
                DiskNames.ToDiskPath(rootPath, relativePath, _caseInsensitiveDisk)
                is not { } fullPath
            )
            {
                return new FileReadResult(relativePath, FileReadStatus.Missing);
            }
            var recorded = _wallClock.GetUtcNow().UtcTicks;
            var stamp = FileStamp.Of(fullPath);
            switch (stamp.Kind)
            {
                case FileKind.Missing:
                    return new FileReadResult(relativePath, FileReadStatus.Missing);
                case FileKind.Directory or FileKind.SymbolicLink or FileKind.Special:
                    return new FileReadResult(relativePath, FileReadStatus.NotAFile);
            }
            if (_guard.CheckName(relativePath) is { } byName)
            {
                return Withheld(relativePath, byName, stamp);
            }
            if (stamp.Size > maxFileBytes)
            {
                return new FileReadResult(relativePath, FileReadStatus.TooLarge)
                {
                    Size = stamp.Size,
                    MtimeTicks = stamp.MtimeTicks,
                };
            }
            if (
                skipIfMatches is { } known
                && (
                    known.IsConclusiveMatch(stamp)
                    || (sameStampSuffices && known.StampMatches(stamp))
                )
            )
            {
                return Stamped(
                    new FileReadResult(relativePath, FileReadStatus.Unchanged)
                    {
                        Hash = known.Hash,
                        RecordedTicks = known.RecordedTicks,
                    },
                    stamp
                );
            }
            return ReadContent(relativePath, fullPath, stamp, recorded, keepContent);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new FileReadResult(relativePath, FileReadStatus.Missing);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return new FileReadResult(relativePath, FileReadStatus.Unreadable)
            {
                Error = ex.Message,
            };
        }
    }

    private static FileReadResult Withheld(string relativePath, SecretRule rule, FileStamp stamp) =>
        new(relativePath, FileReadStatus.Withheld)
        {
            Size = stamp.Size,
            MtimeTicks = stamp.MtimeTicks,
            WithheldBy = rule,
        };

    private static FileReadResult Stamped(FileReadResult result, FileStamp stamp) =>
        result with
        {
            Size = stamp.Size,
            MtimeTicks = stamp.MtimeTicks,
            CtimeTicks = stamp.CtimeTicks,
            FileId = stamp.FileId,
        };

    private FileReadResult ReadContent(
        string relativePath,
        string fullPath,
        FileStamp before,
        long recorded,
        bool keepContent
    )
    {
        var outcome = _opener.Open(fullPath, out var handle);
        if (outcome != FileOpenOutcome.Opened)
        {
            // A FIFO or device is never read (it could block); a file that resolves outside the workspace never either.
            return new FileReadResult(
                relativePath,
                outcome == FileOpenOutcome.OutsideWorkspace
                    ? FileReadStatus.OutsideWorkspace
                    : FileReadStatus.NotAFile
            );
        }
        // Read up to one byte past the limit so growth during the read is noticed. The buffer is pooled:
        // hashing needs no copy of its own, and a kept content is copied out at its exact length, so a
        // 50 000-file pass allocates no read buffers (files near the limit would each be a large object).
        var buffer = ArrayPool<byte>.Shared.Rent(
            (int)Math.Min(maxFileBytes + 1, Math.Max(before.Size, 0) + 1)
        );
        try
        {
            return ReadInto(buffer, relativePath, fullPath, handle!, before, recorded, keepContent);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private FileReadResult ReadInto(
        byte[] buffer,
        string relativePath,
        string fullPath,
        SafeFileHandle handle,
        FileStamp before,
        long recorded,
        bool keepContent
    )
    {
        var size = before.Size;
        var mtime = before.MtimeTicks;
        // The rented buffer may be longer than asked for: read at most the size plus one byte.
        var wanted = (int)Math.Min(maxFileBytes + 1, Math.Max(size, 0) + 1);
        var length = 0;
        using (var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0))
        {
            Interlocked.Increment(ref _filesRead);
            int read;
            while (length < wanted && (read = stream.Read(buffer, length, wanted - length)) > 0)
            {
                length += read;
            }
            if (length == wanted && length <= maxFileBytes)
            {
                // The file grew while we read; the next batch sees the final state.
                return new FileReadResult(relativePath, FileReadStatus.Unstable)
                {
                    Size = size,
                    MtimeTicks = mtime,
                };
            }
        }

        AfterContentRead?.Invoke(fullPath);
        if (length > maxFileBytes)
        {
            return new FileReadResult(relativePath, FileReadStatus.TooLarge)
            {
                Size = length,
                MtimeTicks = mtime,
            };
        }

        var after = FileStamp.Of(fullPath);
        if (after.Kind == FileKind.Missing)
        {
            return new FileReadResult(relativePath, FileReadStatus.Missing);
        }
        if (after != before || length != size)
        {
            // Written to, replaced or renamed over while we read: the next batch sees the final state.
            return new FileReadResult(relativePath, FileReadStatus.Unstable)
            {
                Size = after.Size,
                MtimeTicks = after.MtimeTicks,
            };
        }

        var content = buffer.AsSpan(0, length);
        if (BinaryContent.LooksBinary(content))
        {
            return new FileReadResult(relativePath, FileReadStatus.Binary)
            {
                Size = length,
                MtimeTicks = mtime,
            };
        }
        if (_guard.CheckContent(relativePath, content) is { } byContent)
        {
            return Withheld(relativePath, byContent, before);
        }
        var hash = Hash is { } custom ? custom(content) : _algorithm.Compute(content);
        return Stamped(
            new FileReadResult(relativePath, FileReadStatus.Ok)
            {
                RecordedTicks = recorded,
                Hash = hash,
                Content = keepContent ? content.ToArray() : null,
            },
            before
        );
    }
}
