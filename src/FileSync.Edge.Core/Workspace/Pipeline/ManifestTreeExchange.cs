using System.Threading.Channels;
using FileSync.Protocol;
using FileSync.Protocol.Tree;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// The edge's half of one digest-first resume (capability <c>manifest-tree</c>): the tree of what the
/// index held when the exchange began, and the server's <c>workspace:tree_request</c>s, each answered
/// from that same tree (changes made meanwhile are dirty paths, sent after the exchange).
/// </summary>
public sealed class ManifestTreeExchange
{
    /// <summary>Most entries (files and subdirectories) in one <c>tree_listing</c> frame.</summary>
    public const int EntriesPerFrame = 4000;

    private readonly Channel<TreeRequestPayload> _requests =
        Channel.CreateBounded<TreeRequestPayload>(
            new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropWrite }
        );

    public ManifestTreeExchange(IEnumerable<ManifestEntry> files)
    {
        Tree = ManifestTree.Build(files);
    }

    public ManifestTree Tree { get; }

    /// <summary>Requests not yet answered (a flood beyond 64 queued is dropped; the server asks again or times out).</summary>
    public ChannelReader<TreeRequestPayload> Requests => _requests.Reader;

    public bool Enqueue(TreeRequestPayload request) => _requests.Writer.TryWrite(request);

    /// <summary>
    /// The answer to <paramref name="request"/> as listing chunks of at most <see cref="EntriesPerFrame"/>
    /// entries (the last one marked). A directory the tree does not hold is listed empty; each directory
    /// is listed once per request however often it is named, and at most as many as the tree holds.
    /// </summary>
    public IEnumerable<(
        List<TreeListingDirectory> Dirs,
        List<TreeListingDirectory> Subtrees
    )> Answer(TreeRequestPayload request)
    {
        var budget = Math.Max(1, Tree.FileCount + 1);
        var dirs = Distinct(request.Dirs, budget);
        var subtrees = Distinct(request.Subtrees, budget);
        var chunk = new Chunk();
        foreach (var path in dirs)
        {
            var directory = Tree.Find(path);
            var files = (directory?.Files ?? [])
                .Select(f => new TreeListingFile
                {
                    Name = f.Name,
                    Hash = f.Hash,
                    Size = f.Size,
                })
                .ToList();
            var children = (directory?.Directories ?? [])
                .Select(d => new TreeListingSubdirectory { Name = d.Name, Digest = d.Digest })
                .ToList();
            foreach (var part in chunk.Add(path, files, children, subtree: false))
            {
                yield return part;
            }
        }
        foreach (var path in subtrees)
        {
            // A subtree (the whole workspace, on a first sync) is listed a frame's worth at a time, never
            // all at once: a receiver adds up the files of every listing of one subtree.
            var prefix = path.Length == 0 ? 0 : path.Length + 1;
            var files = new List<TreeListingFile>();
            var listed = false;
            foreach (var file in Tree.FilesUnder(path))
            {
                files.Add(
                    new TreeListingFile
                    {
                        Name = file.RelativePath[prefix..],
                        Hash = file.Hash,
                        Size = file.Size,
                    }
                );
                if (files.Count == EntriesPerFrame)
                {
                    foreach (var part in chunk.Add(path, files, [], subtree: true))
                    {
                        yield return part;
                    }
                    files = [];
                    listed = true;
                }
            }
            if (files.Count > 0 || !listed)
            {
                foreach (var part in chunk.Add(path, files, [], subtree: true))
                {
                    yield return part;
                }
            }
        }
        yield return chunk.Take();
    }

    private static List<string> Distinct(IReadOnlyList<string?>? paths, int budget)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var path in paths ?? [])
        {
            if (path is not null && result.Count < budget && seen.Add(path))
            {
                result.Add(path);
            }
        }
        return result;
    }

    /// <summary>Fills listing frames up to <see cref="EntriesPerFrame"/> entries, splitting a large directory.</summary>
    private sealed class Chunk
    {
        private List<TreeListingDirectory> _dirs = [];
        private List<TreeListingDirectory> _subtrees = [];
        private int _entries;

        public IEnumerable<(List<TreeListingDirectory>, List<TreeListingDirectory>)> Add(
            string path,
            List<TreeListingFile> files,
            List<TreeListingSubdirectory> children,
            bool subtree
        )
        {
            int fileOffset = 0,
                childOffset = 0;
            do
            {
                if (_entries >= EntriesPerFrame)
                {
                    yield return Take();
                }
                var room = EntriesPerFrame - _entries;
                var fileCount = Math.Min(room, files.Count - fileOffset);
                var childCount = Math.Min(room - fileCount, children.Count - childOffset);
                var part = new TreeListingDirectory
                {
                    Dir = path,
                    Files = files.GetRange(fileOffset, fileCount),
                    Subdirs = subtree ? null : children.GetRange(childOffset, childCount),
                };
                (subtree ? _subtrees : _dirs).Add(part);
                fileOffset += fileCount;
                childOffset += childCount;
                _entries += Math.Max(1, fileCount + childCount);
            } while (fileOffset < files.Count || childOffset < children.Count);
        }

        public (List<TreeListingDirectory>, List<TreeListingDirectory>) Take()
        {
            var taken = (_dirs, _subtrees);
            _dirs = [];
            _subtrees = [];
            _entries = 0;
            return taken;
        }
    }
}
