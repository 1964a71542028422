using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace FileSync.Protocol.Tree;

/// <summary>
/// The digests of a workspace's synced files, per directory (README.md, "Digest-first resume"). A
/// directory's digest is SHA-256 over its entries in the order of their UTF-8 names: for a file
/// <c>0x01, u32 name length, name, u64 size, u32 hash length, hash</c> (the hash's bytes when it is
/// hex, else its UTF-8), for a directory <c>0x02, u32 name length, name, 32-byte digest</c>; all
/// integers big-endian. Directories without files anywhere beneath do not exist here. The same code
/// runs on both ends, so equal trees have equal digests.
/// </summary>
public sealed class ManifestTree
{
    private readonly Dictionary<string, TreeDirectory> _directories;

    private ManifestTree(Dictionary<string, TreeDirectory> directories, int fileCount)
    {
        _directories = directories;
        FileCount = fileCount;
    }

    /// <summary>Digest of the whole tree (its root directory, <c>""</c>), lowercase hex.</summary>
    public string RootDigest => _directories[""].Digest;

    public int FileCount { get; }

    /// <summary>Builds the tree of <paramref name="files"/> (relative paths, <c>/</c>-separated, no duplicates).</summary>
    public static ManifestTree Build(IEnumerable<ManifestEntry> files)
    {
        var directories = new Dictionary<string, TreeDirectory>(StringComparer.Ordinal)
        {
            [""] = new TreeDirectory(""),
        };
        var count = 0;
        foreach (var file in files)
        {
            var slash = file.RelativePath.LastIndexOf('/');
            var parent = slash < 0 ? "" : file.RelativePath[..slash];
            var directory = Ensure(directories, parent);
            directory.FileList.Add(
                new TreeFile(file.RelativePath[(slash + 1)..], file.Hash, file.Size)
            );
            count++;
        }
        Seal(directories, "");
        return new ManifestTree(directories, count);
    }

    /// <summary>The directory at <paramref name="path"/> (<c>""</c>: the root), or null when it holds no files.</summary>
    public TreeDirectory? Find(string path) => _directories.GetValueOrDefault(path);

    /// <summary>Every file beneath <paramref name="path"/>, with paths relative to the workspace root.</summary>
    public IEnumerable<ManifestEntry> FilesUnder(string path)
    {
        if (Find(path) is not { } start)
        {
            yield break;
        }
        var pending = new Stack<TreeDirectory>();
        pending.Push(start);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var file in directory.Files)
            {
                yield return new ManifestEntry(
                    Join(directory.Path, file.Name),
                    file.Hash,
                    file.Size
                );
            }
            foreach (var child in directory.Directories)
            {
                pending.Push(_directories[Join(directory.Path, child.Name)]);
            }
        }
    }

    /// <summary><paramref name="directory"/>/<paramref name="name"/>, or just the name at the root.</summary>
    public static string Join(string directory, string name) =>
        directory.Length == 0 ? name : directory + "/" + name;

    private static TreeDirectory Ensure(Dictionary<string, TreeDirectory> directories, string path)
    {
        if (directories.TryGetValue(path, out var existing))
        {
            return existing;
        }
        var created = new TreeDirectory(path);
        directories[path] = created;
        var slash = path.LastIndexOf('/');
        var parent = Ensure(directories, slash < 0 ? "" : path[..slash]);
        parent.ChildNames.Add(path[(slash + 1)..]);
        return created;
    }

    /// <summary>Sorts and digests <paramref name="path"/> and everything beneath it, children first.</summary>
    private static void Seal(Dictionary<string, TreeDirectory> directories, string root)
    {
        // Post-order without recursion: deep trees must not exhaust the stack.
        var order = new List<TreeDirectory>();
        var pending = new Stack<TreeDirectory>();
        pending.Push(directories[root]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            order.Add(directory);
            foreach (var child in directory.ChildNames)
            {
                pending.Push(directories[Join(directory.Path, child)]);
            }
        }
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var directory = order[i];
            directory.Seal(name => directories[Join(directory.Path, name)].Digest);
        }
    }

    /// <summary>The digest record stream of one directory (see the type's summary).</summary>
    internal static string Digest(
        IReadOnlyList<TreeFile> files,
        IReadOnlyList<TreeSubdirectory> directories
    )
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        int fileIndex = 0,
            directoryIndex = 0;
        while (fileIndex < files.Count || directoryIndex < directories.Count)
        {
            var takeFile =
                directoryIndex >= directories.Count
                || (
                    fileIndex < files.Count
                    && Utf8Order.Compare(files[fileIndex].Name, directories[directoryIndex].Name)
                        < 0
                );
            if (takeFile)
            {
                var file = files[fileIndex++];
                hash.AppendData([0x01]);
                AppendString(hash, file.Name, number);
                BinaryPrimitives.WriteUInt64BigEndian(number, (ulong)file.Size);
                hash.AppendData(number);
                var bytes = HashBytes(file.Hash);
                BinaryPrimitives.WriteUInt32BigEndian(number, (uint)bytes.Length);
                hash.AppendData(number[..4]);
                hash.AppendData(bytes);
            }
            else
            {
                var directory = directories[directoryIndex++];
                hash.AppendData([0x02]);
                AppendString(hash, directory.Name, number);
                hash.AppendData(Convert.FromHexString(directory.Digest));
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendString(IncrementalHash hash, string text, Span<byte> number)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        BinaryPrimitives.WriteUInt32BigEndian(number, (uint)bytes.Length);
        hash.AppendData(number[..4]);
        hash.AppendData(bytes);
    }

    private static byte[] HashBytes(string hash)
    {
        if (hash.Length % 2 == 0 && hash.Length > 0)
        {
            try
            {
                return Convert.FromHexString(hash);
            }
            catch (FormatException)
            {
                // Not hex: its text below.
            }
        }
        return Encoding.UTF8.GetBytes(hash);
    }
}
