using System.Collections.ObjectModel;

namespace FileSync.Edge.Filtering.Sources;

/// <summary>
/// The built-in excludes (<see cref="Patterns"/>), based at the root with the lowest precedence
/// (like git's <c>core.excludesFile</c>), so a <c>!pattern</c> in any ignore file re-includes
/// them. They never change.
/// </summary>
internal sealed class BuiltInIgnoreSource : IIgnoreSource
{
    /// <summary>
    /// Built-in excludes, in gitignore syntax — except <c>.git</c>, which is always excluded
    /// whatever the patterns say:
    /// <list type="bullet">
    /// <item><c>.git</c> — git's own data; a directory, or the file a worktree or submodule has
    /// instead (hard exclude, cannot be re-included).</item>
    /// <item><c>.hg/</c>, <c>.svn/</c>, <c>.bzr/</c> — other version-control metadata.</item>
    /// <item><c>node_modules/</c> — npm/yarn/pnpm dependencies.</item>
    /// <item><c>__pycache__/</c>, <c>.venv/</c>, <c>.mypy_cache/</c>, <c>.pytest_cache/</c>,
    /// <c>.ruff_cache/</c>, <c>.tox/</c> — Python bytecode, virtual environment and tool caches.</item>
    /// <item><c>.idea/</c>, <c>.vs/</c> — JetBrains and Visual Studio per-user IDE state.</item>
    /// <item><c>.DS_Store</c>, <c>Thumbs.db</c>, <c>desktop.ini</c> — operating-system folder metadata.</item>
    /// <item><c>*.swp</c>, <c>*.swo</c>, <c>*.swx</c> — vim swap files.</item>
    /// <item><c>*~</c> — backup files of emacs, vim, gedit and others.</item>
    /// <item><c>.#*</c>, <c>\#*#</c> — emacs lock files and auto-save files.</item>
    /// <item><c>~$*</c> — Microsoft Office owner/lock files.</item>
    /// </list>
    /// Deliberately not included: <c>*.tmp</c> (also used for real data, and editors' transient
    /// temp files vanish before a batch is processed), build outputs such as <c>bin/</c>,
    /// <c>obj/</c>, <c>dist/</c>, <c>build/</c>, <c>target/</c> (project-specific; the project's
    /// <c>.gitignore</c> normally covers them) and <c>.vscode/</c> (often shared settings).
    /// </summary>
    public static IReadOnlyList<string> Patterns { get; } =
        new ReadOnlyCollection<string>([
            ".git",
            ".hg/",
            ".svn/",
            ".bzr/",
            "node_modules/",
            "__pycache__/",
            ".venv/",
            ".mypy_cache/",
            ".pytest_cache/",
            ".ruff_cache/",
            ".tox/",
            ".idea/",
            ".vs/",
            ".DS_Store",
            "Thumbs.db",
            "desktop.ini",
            "*.swp",
            "*.swo",
            "*.swx",
            "*~",
            ".#*",
            "\\#*#",
            "~$*",
        ]);

    private static readonly IgnorePattern[] s_parsed = IgnoreRuleSet.ParsePatterns(
        string.Join('\n', Patterns)
    );

    /// <summary>Lowest of all: every ignore file overrides the built-in excludes.</summary>
    public int Precedence => 100;

    public IgnorePattern[] ReadPatterns(IgnoreDirectory directory) =>
        directory.IsRoot ? s_parsed : [];

    public bool ChangesRules(string relativePath) => false;
}
