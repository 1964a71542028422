using System.Text;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>Waits until a mirror folder holds exactly the expected files (paths and bytes).</summary>
public static class MirrorAssert
{
    /// <summary>
    /// The files of <paramref name="workspace"/> (relative '/' paths → bytes), minus <c>.git/</c> and the
    /// paths <paramref name="excluded"/> says the server must not have.
    /// </summary>
    public static Dictionary<string, byte[]> FilesOf(
        string workspace,
        Func<string, bool>? excluded = null
    )
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (!Directory.Exists(workspace))
        {
            return files;
        }
        foreach (
            var path in Directory.EnumerateFiles(
                workspace,
                "*",
                new EnumerationOptions
                {
                    RecurseSubdirectories = true,
                    AttributesToSkip = 0,
                    IgnoreInaccessible = true,
                }
            )
        )
        {
            var relative = Path.GetRelativePath(workspace, path).Replace('\\', '/');
            if (
                relative.StartsWith(".git/", StringComparison.Ordinal)
                || IsServerTempFile(relative)
                || excluded?.Invoke(relative) == true
            )
            {
                continue;
            }
            try
            {
                files[relative] = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Vanished or locked between listing and reading: the next poll sees the settled state.
            }
        }
        return files;
    }

    /// <summary>The reference server writes atomically through ".~filesync-*.tmp" files; they are not content.</summary>
    private static bool IsServerTempFile(string relative) =>
        Path.GetFileName(relative).StartsWith(".~filesync-", StringComparison.Ordinal);

    /// <summary>Waits until <paramref name="mirror"/> equals <paramref name="expected"/>; fails with a diff.</summary>
    public static Task EqualsEventuallyAsync(
        Func<Dictionary<string, byte[]>> expected,
        string mirror,
        TimeSpan? deadline = null
    ) => EqualsEventuallyAsync(expected, () => FilesOf(mirror), deadline, mirror);

    /// <summary>Waits until <paramref name="actual"/> equals <paramref name="expected"/>; fails with a diff.</summary>
    public static async Task EqualsEventuallyAsync(
        Func<Dictionary<string, byte[]>> expected,
        Func<Dictionary<string, byte[]>> actual,
        TimeSpan? deadline = null,
        string what = "the server's copy"
    )
    {
        string diff = "";
        await Wait.UntilAsync(
            () =>
            {
                diff = Diff(expected(), actual());
                return diff.Length == 0;
            },
            deadline ?? Wait.Generous,
            () => $"{what} differs:\n{diff}"
        );
    }

    /// <summary>Waits until the mirror of <paramref name="workspace"/> equals it, minus <paramref name="excluded"/>.</summary>
    public static Task MirrorsAsync(
        string workspace,
        string mirror,
        Func<string, bool>? excluded = null,
        TimeSpan? deadline = null
    ) => EqualsEventuallyAsync(() => FilesOf(workspace, excluded), mirror, deadline);

    public static string Diff(
        Dictionary<string, byte[]> expected,
        Dictionary<string, byte[]> actual
    )
    {
        var text = new StringBuilder();
        var shown = 0;
        foreach (var (path, bytes) in expected.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!actual.TryGetValue(path, out var other))
            {
                Line($"  missing on server: {path}");
            }
            else if (!bytes.AsSpan().SequenceEqual(other))
            {
                Line(
                    $"  differs: {path} ({bytes.Length} bytes expected, {other.Length} on server)"
                );
            }
        }
        foreach (
            var path in actual
                .Keys.Where(p => !expected.ContainsKey(p))
                .Order(StringComparer.Ordinal)
        )
        {
            Line($"  extra on server: {path}");
        }
        if (shown > 20)
        {
            text.AppendLine($"  … {shown - 20} more");
        }
        return text.ToString();

        void Line(string line)
        {
            if (++shown <= 20)
            {
                text.AppendLine(line);
            }
        }
    }
}
