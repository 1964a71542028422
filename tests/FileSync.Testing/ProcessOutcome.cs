namespace FileSync.Testing;

/// <summary>How a process ended and what it wrote to stdout and stderr.</summary>
public sealed record ProcessOutcome(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public IReadOnlyList<string> StderrLines =>
        Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
