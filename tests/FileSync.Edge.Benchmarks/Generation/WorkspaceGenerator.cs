using System.Text;

namespace FileSync.Edge.Benchmarks.Generation;

/// <summary>What to generate. Everything follows from the numbers and the seed.</summary>
internal sealed record WorkspaceSpec(
    int TextFiles,
    int Directories,
    int MinBytes,
    int MaxBytes,
    int NodeModulesFiles,
    int LargeFiles,
    ulong Seed
)
{
    /// <summary>
    /// The workspace of issue #7: 2000 synced files (1999 text files of 100 B–90 KB, log-uniform, plus the
    /// .gitignore, so the agent runs at its default --max-files 2000) in 150 nested folders, an ignored
    /// node_modules/ of 5000 small files, and 5 text files over the 100 KB limit.
    /// </summary>
    public static WorkspaceSpec Standard(ulong seed) => new(1999, 150, 100, 90_000, 5000, 5, seed);

    /// <summary>The scale workspace: the same kind of files and folder density, <paramref name="files"/> of them.</summary>
    public static WorkspaceSpec Scale(int files, ulong seed) =>
        new(files, Math.Max(10, files * 150 / 2000), 100, 90_000, 0, 0, seed);
}

/// <summary>One file that a correct sync must mirror.</summary>
internal readonly record struct SyncedFile(string RelativePath, int Size);

/// <summary>A generated workspace on disk.</summary>
internal sealed class GeneratedWorkspace(
    string root,
    IReadOnlyList<SyncedFile> files,
    int ignoredFiles,
    int largeFiles
)
{
    /// <summary>Bytes overwritten at the start of a file by <see cref="MakeEdit"/>.</summary>
    public const int MarkerBytes = 16;

    public string Root { get; } = root;

    /// <summary>The folder name, which is also the workspace's folder name in a server mirror.</summary>
    public string Name { get; } = Path.GetFileName(root);

    /// <summary>The files that must reach the mirror (not ignored, within the size limit).</summary>
    public IReadOnlyList<SyncedFile> Files { get; } = files;

    public long TotalBytes { get; } = files.Sum(f => (long)f.Size);

    public int IgnoredFiles { get; } = ignoredFiles;

    public int LargeFiles { get; } = largeFiles;

    public string FullPath(string relativePath) => Path.Join(Root, relativePath);

    /// <summary>
    /// New content for a file: its current bytes with the first <see cref="MarkerBytes"/> replaced by a
    /// revision marker. Same size, different bytes (revisions are unique within a benchmark run).
    /// </summary>
    public byte[] MakeEdit(string relativePath, long revision)
    {
        var content = File.ReadAllBytes(FullPath(relativePath));
        var marker = Encoding.ASCII.GetBytes($"@rev{revision:X11}\n");
        marker.CopyTo(content, 0);
        return content;
    }
}

/// <summary>Writes a deterministic workspace: the same seed gives the same bytes everywhere.</summary>
internal static class WorkspaceGenerator
{
    private const int MaxDepth = 5;

    private static readonly string[] s_words =
    [
        "var",
        "let",
        "const",
        "return",
        "if",
        "else",
        "for",
        "while",
        "async",
        "await",
        "public",
        "private",
        "static",
        "class",
        "record",
        "string",
        "int",
        "bool",
        "null",
        "true",
        "false",
        "new",
        "using",
        "import",
        "export",
        "function",
        "value",
        "result",
        "count",
        "index",
        "buffer",
        "options",
        "logger",
        "context",
        "request",
        "response",
        "client",
        "server",
        "path",
        "file",
        "stream",
        "token",
        "cancel",
        "config",
        "state",
        "items",
        "list",
        "map",
        "key",
        "hash",
        "sync",
        "batch",
        "watch",
        "event",
        "error",
        "throw",
        "catch",
        "try",
        "(",
        ")",
        "{",
        "}",
        ";",
        "=",
        "=>",
        "+",
        "//",
        "TODO:",
        "x",
        "y",
        "i",
        "0",
        "1",
        "42",
    ];

    private static readonly string[] s_stems =
    [
        "main",
        "util",
        "service",
        "handler",
        "model",
        "view",
        "store",
        "client",
        "parser",
        "config",
        "index",
        "types",
        "helpers",
        "router",
        "schema",
        "worker",
        "cache",
        "queue",
        "format",
        "readme",
    ];

    private static readonly string[] s_extensions =
    [
        ".cs",
        ".ts",
        ".py",
        ".md",
        ".json",
        ".txt",
        ".go",
        ".rs",
    ];

    private static readonly string[] s_folders =
    [
        "src",
        "lib",
        "core",
        "api",
        "ui",
        "tests",
        "docs",
        "tools",
        "app",
        "components",
        "services",
        "models",
        "utils",
        "internal",
        "pkg",
        "cmd",
        "scripts",
        "config",
        "data",
        "assets",
    ];

    public static GeneratedWorkspace Generate(string root, WorkspaceSpec spec)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        Directory.CreateDirectory(root);
        var rng = new SplitMix64(spec.Seed);

        // Folders: each new one goes under a random existing one (depth-limited), so the tree is nested.
        var folders = new List<(string Path, int Depth)> { ("", 0) };
        for (var i = 0; i < spec.Directories; i++)
        {
            (string Path, int Depth) parent;
            do
            {
                parent = folders[rng.Next(folders.Count)];
            } while (parent.Depth >= MaxDepth);
            var name = $"{s_folders[rng.Next(s_folders.Length)]}{i:D3}";
            var path = parent.Path.Length == 0 ? name : $"{parent.Path}/{name}";
            folders.Add((path, parent.Depth + 1));
            Directory.CreateDirectory(Path.Join(root, path));
        }

        var files = new List<SyncedFile>(spec.TextFiles);
        var buffer = new byte[Math.Max(spec.MaxBytes, 400_000)];
        for (var i = 0; i < spec.TextFiles; i++)
        {
            var folder = folders[rng.Next(folders.Count)].Path;
            var name =
                $"{s_stems[rng.Next(s_stems.Length)]}_{i:D5}{s_extensions[rng.Next(s_extensions.Length)]}";
            var relative = folder.Length == 0 ? name : $"{folder}/{name}";
            var size = rng.NextLogUniform(spec.MinBytes, spec.MaxBytes);
            WriteText(Path.Join(root, relative), buffer.AsSpan(0, size), rng);
            files.Add(new SyncedFile(relative, size));
        }

        var ignored = 0;
        if (spec.NodeModulesFiles > 0)
        {
            File.WriteAllText(Path.Join(root, ".gitignore"), "node_modules/\n");
            files.Add(new SyncedFile(".gitignore", "node_modules/\n".Length));
            const int filesPerPackage = 50;
            for (var i = 0; i < spec.NodeModulesFiles; i++)
            {
                var package = $"node_modules/pkg{i / filesPerPackage:D3}/lib";
                Directory.CreateDirectory(Path.Join(root, package));
                var size = rng.NextLogUniform(100, 2000);
                WriteText(
                    Path.Join(root, package, $"file{i % filesPerPackage:D3}.js"),
                    buffer.AsSpan(0, size),
                    rng
                );
                ignored++;
            }
        }

        if (spec.LargeFiles > 0)
        {
            Directory.CreateDirectory(Path.Join(root, "assets"));
            for (var i = 0; i < spec.LargeFiles; i++)
            {
                var size = 110_000 + rng.Next(290_000);
                WriteText(Path.Join(root, "assets", $"large_{i}.txt"), buffer.AsSpan(0, size), rng);
            }
        }

        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return new GeneratedWorkspace(root, files, ignored, spec.LargeFiles);
    }

    /// <summary>Fills <paramref name="content"/> with code-like ASCII lines and writes it.</summary>
    private static void WriteText(string path, Span<byte> content, SplitMix64 rng)
    {
        var position = 0;
        var lineLength = 0;
        var lineLimit = 40 + rng.Next(60);
        while (position < content.Length)
        {
            var word = s_words[rng.Next(s_words.Length)];
            if (lineLength > 0 && lineLength + word.Length + 1 > lineLimit)
            {
                content[position++] = (byte)'\n';
                lineLength = 0;
                lineLimit = 40 + rng.Next(60);
                continue;
            }
            if (lineLength > 0)
            {
                content[position++] = (byte)' ';
                lineLength++;
            }
            for (var c = 0; c < word.Length && position < content.Length; c++)
            {
                content[position++] = (byte)word[c];
                lineLength++;
            }
        }
        content[^1] = (byte)'\n';
        using var stream = new FileStream(
            path,
            FileMode.Create,
            FileAccess.Write,
            FileShare.None,
            bufferSize: 0
        );
        stream.Write(content);
    }
}
