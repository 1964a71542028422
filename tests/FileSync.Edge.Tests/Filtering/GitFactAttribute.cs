namespace FileSync.Edge.Tests.Filtering;

/// <summary>A fact whose expectations come from running git; skipped, with a clear message, when git is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GitFactAttribute : FactAttribute
{
    public GitFactAttribute()
    {
        if (!GitCheckIgnore.IsAvailable)
        {
            Skip = GitCheckIgnore.MissingGitMessage;
        }
    }
}
