namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// A fact that needs root on a Unix system (to give a file to another user); skipped with the reason it
/// gives otherwise. CI runs as root, so it runs there.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(string reason)
    {
        if (!BuiltExecutable.IsRoot)
        {
            Skip = $"{reason}; this test runs as {Environment.UserName}";
        }
    }
}
