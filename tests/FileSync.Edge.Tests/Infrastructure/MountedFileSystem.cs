using System.Diagnostics;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// A small file system mounted for one test (root only): a size-limited tmpfs (to fill up for real) or
/// a loop-mounted ext4 with 128-byte inodes, whose timestamps have whole-second resolution as on FAT,
/// HFS+ and many network file systems. Unmounted and removed on dispose.
/// </summary>
public sealed class MountedFileSystem : IDisposable
{
    private readonly TempDirectory _scratch = new();
    private readonly string? _image;

    private MountedFileSystem(string? image)
    {
        _image = image;
        Path = System.IO.Path.Combine(_scratch.Path, "mnt");
        Directory.CreateDirectory(Path);
    }

    /// <summary>Why these tests cannot run here, or null when they can (Linux, as root).</summary>
    public static string? Unavailable =>
        !OperatingSystem.IsLinux() ? "mounting a file system needs Linux"
        : Environment.UserName != "root" ? "mounting a file system needs root (CI runs as root)"
        : null;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    public static MountedFileSystem Tmpfs(string size)
    {
        var mounted = new MountedFileSystem(null);
        Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0755", "tmpfs", mounted.Path);
        return mounted;
    }

    /// <summary>An ext4 image of <paramref name="megabytes"/> with 128-byte inodes: 1-second mtime and ctime.</summary>
    public static MountedFileSystem CoarseTimestampExt4(int megabytes = 32)
    {
        var scratch = Directory.CreateTempSubdirectory("filesync-image-").FullName;
        var image = System.IO.Path.Combine(scratch, "fs.img");
        using (var file = File.Create(image))
        {
            file.SetLength(megabytes * 1024L * 1024);
        }
        Run("mkfs.ext4", "-q", "-F", "-I", "128", image);
        var mounted = new MountedFileSystem(image);
        Run("mount", "-o", "loop", image, mounted.Path);
        return mounted;
    }

    /// <summary>Changes a tmpfs's size while it is mounted (to free a full disk).</summary>
    public void Resize(string size) => Run("mount", "-o", $"remount,size={size}", Path);

    public void Dispose()
    {
        try
        {
            Run("umount", "-l", Path);
        }
        catch (InvalidOperationException)
        {
            // Best effort: a failed test must not hide its own failure behind this one.
        }
        if (_image is not null)
        {
            try
            {
                Directory.Delete(System.IO.Path.GetDirectoryName(_image)!, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
        _scratch.Dispose();
    }

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
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error.Trim()}"
            );
        }
    }
}

/// <summary>A fact that mounts a file system: skipped with the reason where that cannot be done.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MountFactAttribute : FactAttribute
{
    public MountFactAttribute()
    {
        if (MountedFileSystem.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
