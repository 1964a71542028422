namespace FileSync.Edge.Tests.Filtering;

/// <summary>A theory whose expectations come from running git; skipped, with a clear message, when git is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GitTheoryAttribute : TheoryAttribute
{
    public GitTheoryAttribute()
    {
        if (!GitCheckIgnore.IsAvailable)
        {
            Skip = GitCheckIgnore.MissingGitMessage;
        }
    }
}
