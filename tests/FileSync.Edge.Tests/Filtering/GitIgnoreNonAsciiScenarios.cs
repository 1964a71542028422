using static FileSync.Edge.Tests.Filtering.GitIgnoreScenarios;

namespace FileSync.Edge.Tests.Filtering;

/// <summary>
/// Scenarios about non-ASCII names, where git's wildmatch works on the UTF-8 bytes of a path:
/// <c>?</c> is one byte, <c>*</c> any bytes, a bracket expression one byte of a set of bytes.
/// Like <see cref="GitIgnoreScenarios"/>, only inputs: every verdict is git's. UTF-8 sizes used
/// below: é ü ñ ж ß are 2 bytes (é = C3 A9, ü = C3 BC, ñ = C3 B1, ж = D0 B6), € and 日 are 3,
/// 😀 is 4; "e\u0301" is e plus a 2-byte combining accent (the NFD form of é).
/// </summary>
internal static class GitIgnoreNonAsciiScenarios
{
    private static readonly string[] _classNames =
    [
        "alnum",
        "alpha",
        "blank",
        "cntrl",
        "digit",
        "graph",
        "lower",
        "print",
        "punct",
        "space",
        "upper",
        "xdigit",
    ];

    /// <summary>The scenarios, appended to <see cref="GitIgnoreScenarios"/>' own.</summary>
    public static IReadOnlyList<Scenario> All { get; } =
    [
        Root(
            "question-mark-is-one-byte-not-one-character",
            "caf?.txt\nna??ve.txt\n",
            "café.txt",
            "cafe.txt",
            "naïve.txt",
            "naive.txt",
            "naiive.txt",
            "cafè.txt"
        ),
        Root(
            "question-marks-against-2-3-and-4-byte-characters",
            "caf??.txt\n1?x\n2??x\n3???x\n4????x\n",
            "café.txt",
            "cafe.txt",
            "cafee.txt",
            "1éx",
            "1ex",
            "1€x",
            "1😀x",
            "1e\u0301x",
            "2éx",
            "2€x",
            "2e\u0301x",
            "3€x",
            "3éax",
            "3😀x",
            "3éx",
            "4😀x",
            "4€ax",
            "4ééx",
            "4€x"
        ),
        Root(
            "star-spans-multibyte-characters",
            "*é\nü*ü\n*€*.txt\n日本*\nd/*/ß\n**/日本語/**\nü**/c\n",
            "café",
            "cafe",
            "d1/thé",
            "üxü",
            "üü",
            "ü",
            "a€b.txt",
            "€.txt",
            "€.md",
            "日本語.txt",
            "日x",
            "d/ö/ß",
            "d/a/b/ß",
            "d/ß",
            "x/日本語/y/z",
            "日本語/a",
            "üx/y/c",
            "üc",
            "x/üc"
        ),
        Root(
            "bracket-with-non-ascii-members-matches-single-bytes",
            "b[é]\nc[é][é]\nd[éü][éü]\nm[é]?\n",
            "bé",
            "be",
            "cé",
            "cée",
            "dé",
            "dü",
            "dö",
            "mé",
            "mü",
            "mж",
            "ma"
        ),
        Root(
            "negated-bracket-excludes-each-byte-of-its-members",
            "n[!é]\no[!é]?\np[!é][!é]\nq[^ü]*\n",
            "né",
            "na",
            "oé",
            "oü",
            "oж",
            "oab",
            "pж",
            "pé",
            "pñ",
            "qé",
            "qüx",
            "qжü"
        ),
        Root(
            "bracket-ranges-compare-byte-values",
            "r[a-é]\nq[a-é]?\ns[а-я][а-я]\nt[é-a][é-a]\nu[\\é-\\ü][\\é-\\ü]\nv[--é][--é]\n",
            "rz",
            "r~",
            "rA",
            "rü",
            "qü",
            "qж",
            "qé",
            "sж",
            "sñ",
            "sé",
            "sa",
            "té",
            "ta",
            "tè",
            "uü",
            "uñ",
            "uа",
            "vé",
            "v.x",
            "v😀"
        ),
        Root(
            "escaped-non-ascii-is-literal",
            "x\\é\n\\ü*\n[\\é][\\é]y\n\\€\\?\nz\\😀\n",
            "xé",
            "xe",
            "üa",
            "ü",
            "ua",
            "éy",
            "€?",
            "€x",
            "z😀",
            "z"
        ),
        new Scenario(
            "posix-classes-over-every-ascii-byte-and-some-non-ascii",
            [(".gitignore", ClassPatterns())],
            ClassPaths(),
            IgnoreCase: false
        ),
        new Scenario(
            "posix-classes-over-every-ascii-byte-and-some-non-ascii-ignorecase",
            [(".gitignore", ClassPatterns())],
            ClassPaths(),
            IgnoreCase: true
        ),
        new Scenario(
            "case-insensitive-folds-ascii-letters-only",
            [
                (
                    ".gitignore",
                    "É.txt\n\u0131.txt\nCAFÉ\nStraße\n[É][É]x\nÀ*\n*.LOG\nŒuvre/\n\u017F.md\nk.kel\n"
                ),
            ],
            [
                "é.txt",
                "É.txt",
                "I.txt",
                "i.txt",
                "\u0131.txt",
                "café",
                "CAFé",
                "cafÉ",
                "CAFÉ",
                "STRASSE",
                "straße",
                "STRAßE",
                "éx",
                "Éx",
                "àb",
                "Àb",
                "x.log",
                "é.Log",
                "œuvre/a",
                "Œuvre/b",
                "ŒUVRE/c",
                "s.md",
                "S.md",
                "\u017F.md",
                "K.kel",
                "\u212A.kel",
            ],
            IgnoreCase: true
        ),
        new Scenario(
            "case-insensitive-brackets-and-prefixes-with-non-ascii",
            [(".gitignore", "r[A-é]\nq[a-é]?\nÉ**/c\n/Dé*/x\n[[:upper:]]é\n")],
            [
                "rb",
                "rB",
                "r~",
                "r@",
                "qü",
                "QÜ",
                "Éa/b/c",
                "éa/c",
                "Déj/x",
                "déj/x",
                "DÉj/x",
                "Aé",
                "aé",
                "éé",
            ],
            IgnoreCase: true
        ),
        Root(
            "non-ascii-literals-are-not-unicode-normalised",
            "résumé.pdf\ndonnées/*\n!données/garder.txt\né \nü\\ \n",
            "résumé.pdf",
            "re\u0301sume\u0301.pdf",
            "x/résumé.pdf",
            "données/a.txt",
            "données/garder.txt",
            "donne\u0301es/a.txt",
            "é",
            "é ",
            "ü ",
            "ü"
        ),
        Files(
            "nested-ignore-files-below-non-ascii-directories",
            [
                (".gitignore", "répertoire/sous/\n"),
                ("répertoire/.gitignore", "*.tmp\n/ç?\n/ç??\n!/çé\n"),
                ("répertoire/日本/.gitignore", "/x?y\n"),
            ],
            "répertoire/a.tmp",
            "répertoire/çx",
            "répertoire/ç",
            "répertoire/çé",
            "répertoire/çü",
            "répertoire/sous/x",
            "répertoire/日本/xéy",
            "répertoire/日本/xay",
            "autre/a.tmp"
        ),
    ];

    /// <summary>
    /// Per class: <c>name-[[:name:]]</c> (one ASCII byte), <c>name+[[:name:]]*</c> and
    /// <c>not-name+[![:name:]]*</c> (the first byte of a non-ASCII character).
    /// </summary>
    private static string ClassPatterns() =>
        string.Concat(
            _classNames.Select(name =>
                $"{name}-[[:{name}:]]\n{name}+[[:{name}:]]*\nnot-{name}+[![:{name}:]]*\n"
            )
        );

    /// <summary>Every ASCII byte except NUL and '/' after each class's prefix, and a few non-ASCII names.</summary>
    private static string[] ClassPaths()
    {
        var paths = new List<string>();
        foreach (var name in _classNames)
        {
            for (var b = 1; b < 128; b++)
            {
                if (b != '/')
                {
                    paths.Add($"{name}-{(char)b}");
                }
            }

            foreach (var text in new[] { "é", "É", "ÿ", "€", "😀", "\u00A0", "\u0085" })
            {
                paths.Add($"{name}+{text}");
                paths.Add($"not-{name}+{text}");
            }
        }

        return [.. paths];
    }
}
