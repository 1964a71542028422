namespace FileSync.Edge.Configuration;

/// <summary>
/// The agent's config file cannot be used: unreadable, empty, not JSON, or of the wrong shape.
/// <see cref="Exception.Message"/> is one line naming the file and the problem.
/// </summary>
public sealed class ConfigFileException : Exception
{
    public ConfigFileException(string filePath, string problem)
        : base($"config file '{filePath}': {problem}")
    {
        FilePath = filePath;
        Problem = problem;
    }

    public ConfigFileException(string filePath, string problem, Exception innerException)
        : base($"config file '{filePath}': {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The config file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
