namespace FileSync.Edge.Tests.Installer;

/// <summary>Files of this repository (the installers), found from the test's build folder upwards.</summary>
public static class RepositoryFiles
{
    /// <summary>The repository's root: the first folder above the tests that holds FileSync.Edge.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) =>
        Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            directory is not null;
            directory = directory.Parent
        )
        {
            if (File.Exists(Path.Combine(directory.FullName, "FileSync.Edge.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException(
            $"FileSync.Edge.sln not found above {AppContext.BaseDirectory}"
        );
    }
}
