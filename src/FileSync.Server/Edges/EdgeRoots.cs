using System.Diagnostics.CodeAnalysis;

namespace FileSync.Server.Edges;

/// <summary>
/// The workspace roots known for one edge: the ones the server sent it in <c>edge:config_update</c>
/// (at connect, or later through the admin API) and the ones the edge announced itself
/// (<c>PATCH /api/v1/edges/{edgeId}</c>, a <c>workspace</c> field, a <c>file_done</c>'s path). A
/// todoforai client's sync frame carries only the file's absolute <c>path</c>; the longest root it
/// lies under names the workspace and the rest is the relative path. Roots are only ever added:
/// a file of a root the edge dropped is still placed where it belongs. Thread-safe.
/// </summary>
internal sealed class EdgeRoots
{
    /// <summary>Most roots kept per edge; an edge announcing more is refused the extra ones.</summary>
    public const int MaxRoots = 1000;

    private readonly Lock _gate = new();
    private string[] _roots = [];

    /// <summary>The roots known now, without trailing separators.</summary>
    public IReadOnlyList<string> Roots => Volatile.Read(ref _roots);

    /// <summary>Adds the absolute paths among <paramref name="roots"/>; others (relative, empty) are ignored.</summary>
    public void Add(IEnumerable<string?> roots)
    {
        lock (_gate)
        {
            var known = new List<string>(_roots);
            foreach (var root in roots)
            {
                if (
                    Normalize(root) is { } normalized
                    && known.Count < MaxRoots
                    && !known.Contains(normalized, StringComparer.Ordinal)
                )
                {
                    known.Add(normalized);
                }
            }
            Volatile.Write(ref _roots, [.. known]);
        }
    }

    /// <summary>
    /// Splits an absolute <paramref name="path"/> into the longest known root it lies strictly under
    /// and the '/'-separated rest. The rest is not validated here: the mirror refuses <c>..</c> and
    /// every other unsafe segment in it.
    /// </summary>
    public bool TryResolve(
        string path,
        [NotNullWhen(true)] out string? root,
        [NotNullWhen(true)] out string? relativePath
    )
    {
        root = null;
        relativePath = null;
        foreach (var candidate in Roots)
        {
            var endsInSeparator = candidate[^1] is '/' or '\\';
            var prefixLength = endsInSeparator ? candidate.Length : candidate.Length + 1;
            if (
                path.Length > prefixLength
                && path.StartsWith(candidate, StringComparison.Ordinal)
                && (endsInSeparator || path[candidate.Length] is '/' or '\\')
                && (root is null || candidate.Length > root.Length)
            )
            {
                root = candidate;
                var separator = endsInSeparator ? candidate[^1] : path[candidate.Length];
                relativePath = path[prefixLength..];
                if (separator == '\\')
                {
                    // A Windows edge: its separator is '\', the mirror's relative paths use '/'.
                    relativePath = relativePath.Replace('\\', '/');
                }
            }
        }
        return root is not null;
    }

    /// <summary>
    /// An absolute POSIX (<c>/…</c>) or Windows (<c>C:\…</c>, <c>\\server\…</c>) path without trailing
    /// separators (a bare <c>/</c> or <c>C:\</c> kept as is); null for anything else.
    /// </summary>
    public static string? Normalize(string? root)
    {
        if (string.IsNullOrWhiteSpace(root) || root.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }
        var isPosix = root[0] == '/';
        var isWindows =
            (
                root.Length >= 3
                && char.IsAsciiLetter(root[0])
                && root[1] == ':'
                && root[2] is '\\' or '/'
            ) || root.StartsWith(@"\\", StringComparison.Ordinal);
        if (!isPosix && !isWindows)
        {
            return null;
        }
        var trimmed = root.TrimEnd('/', '\\');
        if (trimmed.Length == 0)
        {
            return "/";
        }
        return trimmed.Length == 2 && trimmed[1] == ':' ? root[..3] : trimmed;
    }
}
