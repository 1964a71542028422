using System.Diagnostics;
using System.Text;

namespace FileSync.Edge.Tests.Filtering;

/// <summary>
/// Runs the real <c>git</c> to obtain reference verdicts: <c>git init</c> and
/// <c>git check-ignore --no-index -v -n -z --stdin</c>, isolated from the user's and the
/// system's git configuration (so no global <c>core.excludesFile</c> leaks in).
/// </summary>
internal static class GitCheckIgnore
{
    /// <summary>True when a <c>git</c> executable can be started.</summary>
    public static bool IsAvailable { get; } = Probe();

    /// <summary>The message shown for tests skipped because git is missing.</summary>
    public const string MissingGitMessage =
        "git is not installed (or not on PATH): the expectations of these tests come from `git check-ignore`.";

    /// <summary>Creates an empty repository in <paramref name="repository"/>.</summary>
    public static Task InitAsync(string repository, string home) =>
        RunAsync(repository, home, ["-c", "init.defaultBranch=main", "init", "-q"], stdin: null);

    /// <summary>
    /// Asks git about each path (relative, '/'-separated). A path counts as ignored when git
    /// reports a matching pattern that is not a <c>!</c> pattern.
    /// </summary>
    public static async Task<IReadOnlyList<GitVerdict>> QueryAsync(
        string repository,
        string home,
        IReadOnlyList<string> paths,
        bool ignoreCase
    )
    {
        // Each path is prefixed with "./" so that a leading ':' is not read as pathspec magic.
        var stdin = new StringBuilder();
        foreach (var path in paths)
        {
            stdin.Append("./").Append(path).Append('\0');
        }

        var output = await RunAsync(
            repository,
            home,
            [
                "-c",
                "core.ignorecase=" + (ignoreCase ? "true" : "false"),
                "check-ignore",
                "--no-index",
                "--verbose",
                "--non-matching",
                "-z",
                "--stdin",
            ],
            stdin.ToString(),
            acceptedExitCodes: [0, 1]
        );

        // Records: <source> NUL <linenum> NUL <pattern> NUL <pathname> NUL, one per input path.
        var fields = output.Split('\0');
        var verdicts = new List<GitVerdict>(paths.Count);
        for (var i = 0; i + 3 < fields.Length; i += 4)
        {
            var source = fields[i];
            var pattern = fields[i + 2];
            var ignored = source.Length > 0 && !pattern.StartsWith('!');
            var reason = source.Length > 0 ? $"{source}:{fields[i + 1]}:{pattern}" : string.Empty;
            verdicts.Add(new GitVerdict(paths[verdicts.Count], ignored, reason));
        }

        if (verdicts.Count != paths.Count)
        {
            throw new InvalidOperationException(
                $"git check-ignore answered {verdicts.Count} records for {paths.Count} paths:\n{output.Replace('\0', '|')}"
            );
        }

        return verdicts;
    }

    private static bool Probe()
    {
        try
        {
            using var process = Process.Start(
                new ProcessStartInfo("git", "--version")
                {
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                }
            );
            if (process is null)
            {
                return false;
            }

            process.StandardOutput.ReadToEnd();
            return process.WaitForExit(Wait.Long) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static async Task<string> RunAsync(
        string workingDirectory,
        string home,
        IReadOnlyList<string> arguments,
        string? stdin,
        int[]? acceptedExitCodes = null
    )
    {
        var startInfo = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Isolate from the developer's configuration and from any enclosing repository.
        foreach (var key in startInfo.Environment.Keys.ToList())
        {
            if (key.StartsWith("GIT_", StringComparison.Ordinal))
            {
                startInfo.Environment.Remove(key);
            }
        }

        startInfo.Environment["HOME"] = home;
        startInfo.Environment["XDG_CONFIG_HOME"] = home;
        startInfo.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        startInfo.Environment["GIT_CEILING_DIRECTORIES"] = Path.GetDirectoryName(workingDirectory);

        using var process =
            Process.Start(startInfo) ?? throw new InvalidOperationException("git did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Wait.Long);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"git {string.Join(' ', arguments)} did not finish within {Wait.Long}."
            );
        }

        var exitCode = process.ExitCode;
        if (!(acceptedExitCodes ?? [0]).Contains(exitCode))
        {
            throw new InvalidOperationException(
                $"git {string.Join(' ', arguments)} exited with {exitCode}: {await stderr}"
            );
        }

        return await stdout;
    }
}
