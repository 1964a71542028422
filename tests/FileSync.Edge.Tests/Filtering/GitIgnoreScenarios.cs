namespace FileSync.Edge.Tests.Filtering;

/// <summary>
/// Small workspaces (ignore files + paths) whose verdicts are asked of git. Only inputs live
/// here: no expected answers are written by hand. The scenarios about non-ASCII names and
/// byte-wise matching are in <see cref="GitIgnoreNonAsciiScenarios"/>. Paths ending in '/' are created as
/// directories, others as files; ancestors are created (and checked) implicitly. Ignore files
/// are written byte for byte, so trailing spaces, tabs, CR and BOM reach the parser.
/// </summary>
internal static class GitIgnoreScenarios
{
    private static readonly Scenario[] _ascii =
    [
        Root(
            "basename-glob-matches-at-any-depth",
            "*.log\n",
            "a.log",
            "d/b.log",
            "d/e/c.log",
            "a.txt",
            "log/x.txt",
            "d/x.log/inner.txt"
        ),
        Root(
            "slashless-name-matches-files-and-directories",
            "build\n",
            "build/out.bin",
            "src/build/x.o",
            "src/build2/y",
            "tools/build",
            "buildx"
        ),
        Root(
            "trailing-slash-matches-directories-only",
            "out/\n",
            "out/a",
            "x/out/b",
            "y/out",
            "z/outer/c"
        ),
        Root(
            "leading-slash-anchors-to-root",
            "/todo.txt\n/cache\n",
            "todo.txt",
            "d/todo.txt",
            "cache/x",
            "d/cache/y"
        ),
        Root(
            "middle-slash-anchors-to-root",
            "doc/frotz\nsrc/*.gen\n",
            "doc/frotz",
            "a/doc/frotz",
            "src/a.gen",
            "src/sub/b.gen",
            "x/src/c.gen"
        ),
        Root(
            "middle-and-trailing-slash",
            "doc/frotz/\n",
            "doc/frotz/f",
            "a/doc/frotz/g",
            "c/doc/frotz"
        ),
        Root("star-does-not-cross-slash", "foo/*\n", "foo/test.json", "foo/bar/hello.c", "x/foo/y"),
        Root(
            "negation-reincludes",
            "*.log\n!keep.log\n",
            "a.log",
            "keep.log",
            "d/keep.log",
            "d/other.log"
        ),
        Root("negation-before-pattern-loses", "!keep.log\n*.log\n", "keep.log", "x.log"),
        Root(
            "negation-cannot-reinclude-under-excluded-directory",
            "logs/\n!logs/keep.log\n!keep2.log\n",
            "logs/keep.log",
            "logs/keep2.log",
            "logs/x.log",
            "other/keep.log"
        ),
        Files(
            "negation-in-gitignore-inside-excluded-directory",
            [(".gitignore", "vendor/\n"), ("vendor/.gitignore", "!*\n")],
            "vendor/lib.js",
            "vendor/sub/x.js",
            "src/a.js"
        ),
        Root(
            "manual-example-exclude-everything-except-foo-bar",
            "/*\n!/foo\n/foo/*\n!/foo/bar\n",
            "a.txt",
            "foo/x.txt",
            "foo/bar/y.txt",
            "foo/baz/z.txt",
            "other/q"
        ),
        Root(
            "allowlist-star-then-directories-then-txt",
            "*\n!*/\n!*.txt\n",
            "a.txt",
            "a.bin",
            "d/b.txt",
            "d/e/c.bin",
            "d/e/f.txt"
        ),
        Root(
            "reinclude-directory-then-exclude-contents",
            "/build/\n!/build/\n/build/*.o\n",
            "build/a.o",
            "build/a.c",
            "build/sub/b.o"
        ),
        Root(
            "negated-directory-only-pattern",
            "*.d\n!keep.d/\n",
            "keep.d/x",
            "keep2.d/y",
            "other/keep.d",
            "file.d"
        ),
        Files(
            "nested-gitignore-overrides-root",
            [(".gitignore", "*.tmp\n"), ("sub/.gitignore", "!special.tmp\n")],
            "special.tmp",
            "sub/special.tmp",
            "sub/other.tmp",
            "sub/deeper/special.tmp",
            "other/special.tmp"
        ),
        Files(
            "nested-negation-reincludes-directory-excluded-by-root",
            [(".gitignore", "cache/\n"), ("a/.gitignore", "!cache/\n")],
            "a/cache/x",
            "cache/y",
            "a/b/cache/z"
        ),
        Files(
            "nested-leading-slash-anchors-to-its-directory",
            [("sub/.gitignore", "/only-here.txt\n")],
            "sub/only-here.txt",
            "sub/x/only-here.txt",
            "only-here.txt",
            "other/only-here.txt"
        ),
        Files(
            "nested-middle-slash-is-relative-to-its-directory",
            [("sub/.gitignore", "a/b.txt\n")],
            "sub/a/b.txt",
            "a/b.txt",
            "sub/x/a/b.txt"
        ),
        Files(
            "nested-gitignore-applies-only-below-its-directory",
            [("sub/.gitignore", "*.md\n")],
            "README.md",
            "sub/x.md",
            "sub/d/y.md"
        ),
        Files(
            "nested-double-star-is-relative-to-its-directory",
            [("sub/.gitignore", "**/gen\n")],
            "sub/gen/a",
            "sub/x/gen/b",
            "gen/c"
        ),
        Files(
            "three-level-chain-deepest-wins",
            [
                (".gitignore", "*.txt\n"),
                ("a/.gitignore", "!*.txt\n"),
                ("a/b/.gitignore", "secret.txt\n"),
            ],
            "x.txt",
            "a/x.txt",
            "a/b/x.txt",
            "a/b/secret.txt",
            "a/secret.txt",
            "a/b/c/secret.txt"
        ),
        Files(
            "nested-directory-pattern-versus-root-negation",
            [(".gitignore", "!gen/\n"), ("pkg/.gitignore", "gen/\n")],
            "pkg/gen/a.cs",
            "gen/b.cs",
            "pkg/sub/gen/c.cs"
        ),
        Root("leading-double-star", "**/foo\n", "foo", "a/foo", "a/b/foo/x", "a/foox", "xfoo"),
        Root(
            "leading-double-star-two-components",
            "**/foo/bar\n",
            "foo/bar",
            "x/foo/bar",
            "x/y/foo/bar",
            "bar",
            "q/foo/x/bar"
        ),
        Root(
            "trailing-double-star",
            "abc/**\n!abc/keep.txt\n",
            "abc/keep.txt",
            "abc/x",
            "abc/d/y",
            "abc/d/keep.txt",
            "x/abc/z"
        ),
        Root(
            "middle-double-star",
            "a/**/b\n",
            "a/b",
            "a/x/b",
            "a/x/y/b",
            "x/a/b",
            "a/bb",
            "a/x/bb/c"
        ),
        Root(
            "double-star-suffix-acts-as-star",
            "abc**\n",
            "abc",
            "abcdef",
            "x/abcq",
            "abcd/x",
            "xabc"
        ),
        Root(
            "double-star-after-text-before-slash-crosses-directories",
            "a**/c\n",
            "a/c",
            "ab/c",
            "ab/x/y/c",
            "ab/x/yc",
            "xa/b/c"
        ),
        Root(
            "double-star-at-end-after-text-crosses-directories",
            "x/a**\n!x/ab/\n",
            "x/ab/c",
            "x/ab/d/e",
            "x/ac"
        ),
        Root(
            "double-star-right-after-literal-prefix-is-a-globstar",
            "a**/c\nx/a**/c\nq/*a**/c\n\\r**/z\nk/**\\/m\nb**/[a-b]\n",
            "ac",
            "x/ac",
            "q/xa/y/c",
            "q/xab/c",
            "r/z",
            "rz",
            "r/y/z",
            "k/m",
            "k/x/m",
            "k/x/y/m",
            "ba",
            "bb/"
        ),
        Root(
            "double-star-after-a-wildcard-is-a-star",
            "**[]a]/a**\n!ab/\n",
            "[a]/ab/-",
            "x]/ab/c/d",
            "x]/ac"
        ),
        Root("triple-star-is-a-double-star", "a/***/b\n", "a/b", "a/x/b", "a/x/y/b"),
        Root(
            "double-star-before-text-is-a-star",
            "x/**q\ny/a**b/c\n",
            "x/q",
            "x/r/q",
            "x/rq",
            "y/aqb/c",
            "y/aq/rb/c"
        ),
        Root("double-star-directories-only", "d/**/\n", "d/x", "d/e/f", "d/e/g/h"),
        Root("question-mark", "?.txt\nq?r\n", "a.txt", "ab.txt", "d/b.txt", ".txt", "q/r", "qxr"),
        Root(
            "character-ranges",
            "[a-c]*.dat\n[0-9][0-9].log\n",
            "a1.dat",
            "c.dat",
            "d.dat",
            "B.dat",
            "42.log",
            "4a.log"
        ),
        Root("negated-classes-bang-and-caret", "[!a]x\n[^b]y\n", "ax", "bx", "ay", "by", "d/cx"),
        Root(
            "bracket-edge-cases",
            "[]a]1\n[!]a]2\n[a\\-z]3\n[a-]4\n[z-a]5\n",
            "]1",
            "a1",
            "b1",
            "]2",
            "b2",
            "-3",
            "b3",
            "z3",
            "-4",
            "a4",
            "z5",
            "a5",
            "m5"
        ),
        Root(
            "posix-character-classes",
            "[[:digit:]]*.bak\n[[:upper:]]z\n[[:space:][:punct:]]p\n",
            "1a.bak",
            "a1.bak",
            "Az",
            "az",
            " p",
            "_p",
            "xp"
        ),
        Root(
            "odd-class-syntax",
            "p[[:x]]\nk[[:a]b:]\nn[[:ALPHA:]]\nvalid\n",
            "p:]",
            "px]",
            "p[]",
            "p]",
            "k:b:]",
            "ka:]",
            "na",
            "valid"
        ),
        Root(
            "escapes-hash-bang-star-question-backslash",
            "\\#hash\n#comment\n\\!bang\n\\*star\nq\\?m\n\\\\back\n",
            "#hash",
            "#comment",
            "!bang",
            "*star",
            "xstar",
            "q?m",
            "qxm",
            "\\back"
        ),
        Root(
            "trailing-spaces-trimmed-unless-escaped",
            "foo   \nbar\\ \nbaz\\  \nqux\\\\ \n",
            "foo",
            "foo ",
            "bar ",
            "bar",
            "baz ",
            "baz  ",
            "baz",
            "qux\\",
            "qux\\ "
        ),
        Root(
            "tabs-and-leading-spaces-are-significant",
            "tab\t\n lead\n",
            "tab",
            "tab\t",
            " lead",
            "lead"
        ),
        Root(
            "unclosed-bracket-never-matches",
            "foo[\n[abc\n*.[ch\nvalid.txt\n",
            "foo[",
            "[abc",
            "x.[ch",
            "x.c",
            "valid.txt"
        ),
        Root("trailing-backslash-never-matches", "foo\\\nbar\n", "foo", "foo\\", "bar"),
        Root("lone-bang-and-lone-slash-are-not-patterns", "!\n/\n!/\nx\n", "x", "!", "y"),
        Root(
            "colons-in-names",
            "*:*\n/:root\nz:\n",
            "a:b",
            "x/c:d",
            ":root",
            "d/:root",
            "z:",
            "q/z:",
            "plain"
        ),
        Root(
            "dotfiles",
            ".*\n!.keep\n!.gitignore\n",
            ".env",
            ".keep",
            "d/.hidden",
            "a.txt",
            ".config/x",
            "d/.keep"
        ),
        Root(
            "deep-paths",
            "target/\n/deep/**/leaf.txt\n",
            "a/b/c/d/e/f/g/h/i/j/target/x",
            "deep/1/2/3/4/5/6/7/8/leaf.txt",
            "deep/leaf.txt",
            "x/deep/1/leaf.txt",
            "a/b/c/d/e/f/g/h/i/j/k.txt"
        ),
        Root(
            "comments-blank-lines-crlf-and-bom",
            "\uFEFF# comment\r\n\r\n   \r\na.txt\r\n#b.txt\r\n",
            "a.txt",
            "b.txt",
            "#b.txt"
        ),
        Root(
            "escaped-slash-and-slash-in-bracket",
            "a\\/b\n[/]c\nx[!/]y\n",
            "a/b",
            "q/a/b",
            "c",
            "xzy",
            "q/xzy"
        ),
        Files(
            "built-in-excludes-apply-and-can-be-reincluded",
            [(".gitignore", "!node_modules/\n!*.swp\n")],
            "node_modules/x.js",
            ".DS_Store",
            "a/__pycache__/m.pyc",
            ".idea/workspace.xml",
            "f.swp",
            "f.swo",
            "f~",
            ".#f",
            "#f#",
            "~$doc.docx",
            ".venv/bin/python",
            "desktop.ini",
            "src/a.js"
        ),
        Root(
            "case-sensitive-when-ignorecase-is-false",
            "*.LOG\nBuild/\n[a-c]X\n",
            "a.log",
            "a.LOG",
            "build/x",
            "Build/y",
            "bX",
            "bx"
        ),
        new Scenario(
            "case-insensitive-when-ignorecase-is-true",
            [(".gitignore", "*.LOG\nBuild/\n[a-c]X\n/Docs/readme.MD\n[[:upper:]]u\n")],
            ["a.log", "x/A.Log", "build/x", "BUILD/y", "bx", "Cx", "dx", "docs/README.md", "au"],
            IgnoreCase: true
        ),
        new Scenario(
            "case-insensitive-brackets-compare-lowercased-text-with-members-as-written",
            [
                (
                    ".gitignore",
                    "[A]1\n[a]2\n[A-C]3\n[a-c]4\n[B-a]5\n[[:lower:]]6\n[^A]7\n[!a]8\n[Dd]ebug/\n"
                ),
            ],
            [
                "A1",
                "a1",
                "A2",
                "a2",
                "B3",
                "b3",
                "B4",
                "b4",
                "C5",
                "c5",
                "_5",
                "A6",
                "A7",
                "a7",
                "A8",
                "b8",
                "DEBUG/x",
                "debug/y",
            ],
            IgnoreCase: true
        ),
    ];

    private static readonly Scenario[] _all = [.. _ascii, .. GitIgnoreNonAsciiScenarios.All];

    /// <summary>Scenario names, for <c>MemberData</c>.</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var scenario in _all)
            {
                data.Add(scenario.Name);
            }

            return data;
        }
    }

    public static Scenario Get(string name) => _all.Single(s => s.Name == name);

    /// <summary>A scenario with a single root <c>.gitignore</c>.</summary>
    internal static Scenario Root(string name, string gitignore, params string[] paths) =>
        new(name, [(".gitignore", gitignore)], paths);

    /// <summary>A scenario with several ignore files.</summary>
    internal static Scenario Files(
        string name,
        (string Path, string Content)[] ignoreFiles,
        params string[] paths
    ) => new(name, ignoreFiles, paths);

    /// <summary>One workspace: ignore files and the paths to ask about.</summary>
    internal sealed record Scenario(
        string Name,
        IReadOnlyList<(string Path, string Content)> IgnoreFiles,
        IReadOnlyList<string> Paths,
        bool IgnoreCase = false
    );
}
