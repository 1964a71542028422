using System.Diagnostics;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// A FAT16 image mounted through FUSE by Debian's <c>fusefat</c> (this kernel has no vfat module): a
/// real case-insensitive, case-preserving disk, as NTFS and APFS are. Unmounted and removed on
/// dispose. fusefat calls its write support experimental: tests keep to files in the root folder.
/// </summary>
public sealed class FatFileSystem : IDisposable
{
    private readonly TempDirectory _scratch = new();

    private FatFileSystem()
    {
        Path = System.IO.Path.Combine(_scratch.Path, "fat");
        Directory.CreateDirectory(Path);
    }

    /// <summary>Why a FAT disk cannot be mounted here, or null when it can.</summary>
    public static string? Unavailable =>
        MountedFileSystem.Unavailable
        ?? (
            !File.Exists("/dev/fuse") ? "no /dev/fuse (FUSE is not available)"
            : !OnPath("fusefat") ? "fusefat is not installed (Debian package fusefat)"
            : !OnPath("mkfs.fat") ? "mkfs.fat is not installed (Debian package dosfstools)"
            : null
        );

    /// <summary>The mount point.</summary>
    public string Path { get; }

    public static FatFileSystem Mount(int megabytes = 16)
    {
        var mounted = new FatFileSystem();
        var image = System.IO.Path.Combine(mounted._scratch.Path, "fat.img");
        using (var file = File.Create(image))
        {
            file.SetLength(megabytes * 1024L * 1024);
        }
        Run("mkfs.fat", "-F", "16", image);
        Run("fusefat", "-o", "rw+", image, mounted.Path);
        return mounted;
    }

    public void Dispose()
    {
        try
        {
            Run("fusermount", "-u", Path);
        }
        catch (InvalidOperationException)
        {
            try
            {
                Run("umount", "-l", Path);
            }
            catch (InvalidOperationException)
            {
                // Best effort: a failed test must not hide its own failure behind this one.
            }
        }
        _scratch.Dispose();
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator)
            .Concat(["/sbin", "/usr/sbin"])
            .Any(directory => File.Exists(System.IO.Path.Combine(directory, program)));

    private static void Run(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Trim()} {output.Result.Trim()}"
            );
        }
    }
}

/// <summary>A fact that mounts a FAT disk through FUSE: skipped with the reason where that cannot be done.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FatFactAttribute : FactAttribute
{
    public FatFactAttribute()
    {
        if (FatFileSystem.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
