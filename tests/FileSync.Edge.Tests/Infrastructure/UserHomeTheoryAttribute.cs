namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>A theory about folders under the user's home folder; skipped, saying so, when the user has none.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UserHomeTheoryAttribute : TheoryAttribute
{
    public UserHomeTheoryAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)))
        {
            Skip =
                $"{Environment.UserName} has no home folder (HOME is unset and the user database names none)";
        }
    }
}
