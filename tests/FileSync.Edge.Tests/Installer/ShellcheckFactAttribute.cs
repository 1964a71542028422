namespace FileSync.Edge.Tests.Installer;

/// <summary>A fact that runs shellcheck; skipped with the reason when it is not installed (.ci/run installs it).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ShellcheckFactAttribute : FactAttribute
{
    public ShellcheckFactAttribute()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Skip = "shellcheck runs on Linux and macOS";
        }
        else if (
            !Environment
                .GetEnvironmentVariable("PATH")!
                .Split(Path.PathSeparator)
                .Any(d => File.Exists(Path.Combine(d, "shellcheck")))
        )
        {
            Skip = "shellcheck is not installed (Debian package shellcheck; .ci/run installs it)";
        }
    }
}
