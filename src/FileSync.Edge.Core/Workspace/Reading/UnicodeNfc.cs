using System.Runtime.InteropServices;
using System.Text;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Unicode NFC for file names. The binaries run with invariant globalization, where
/// <see cref="string.Normalize()"/> returns its input unchanged, so the OS's own normalizer is called:
/// <c>NormalizeString</c> on Windows, ICU elsewhere (<c>libicucore</c> on macOS, <c>libicuuc</c> on
/// Linux, the library .NET itself uses when globalization is on). Where none is found (a Linux without
/// ICU) names are left as they are: Linux file systems never change a name's form themselves.
/// </summary>
public static unsafe partial class UnicodeNfc
{
    private const int WindowsNormalizationC = 1;

    private static readonly IcuNormalizer? s_icu = OperatingSystem.IsWindows()
        ? null
        : IcuNormalizer.TryLoad();

    /// <summary>True when names can be brought to NFC here (false only on a Linux without ICU).</summary>
    public static bool Available =>
        !AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant)
        || !invariant
        || OperatingSystem.IsWindows()
        || s_icu is not null;

    /// <summary><paramref name="text"/> in NFC (itself when it already is, or when no normalizer is available).</summary>
    public static string Normalize(string text)
    {
        if (Ascii.IsValid(text))
        {
            return text;
        }
        if (
            !AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant)
            || !invariant
        )
        {
            return text.Normalize(NormalizationForm.FormC);
        }
        string? normalized =
            OperatingSystem.IsWindows() ? NormalizeOnWindows(text)
            : s_icu is { } icu ? icu.Normalize(text)
            : null;
        return normalized is null || normalized == text ? text : normalized;
    }

    private static string? NormalizeOnWindows(string text)
    {
        fixed (char* source = text)
        {
            // NFC is never more than three times as long as its input (Unicode's bound for NFC).
            var capacity = text.Length * 3 + 16;
            var buffer = new char[capacity];
            fixed (char* target = buffer)
            {
                var length = NormalizeString(
                    WindowsNormalizationC,
                    source,
                    text.Length,
                    target,
                    capacity
                );
                return length <= 0 ? null : new string(target, 0, length);
            }
        }
    }

    [LibraryImport("kernel32.dll", EntryPoint = "NormalizeString")]
    private static partial int NormalizeString(
        int normForm,
        char* source,
        int sourceLength,
        char* destination,
        int destinationLength
    );

    /// <summary>ICU's NFC normalizer (<c>unorm2_getNFCInstance</c>, <c>unorm2_normalize</c>), found by probing its versions.</summary>
    private sealed class IcuNormalizer(
        nint instance,
        delegate* unmanaged<nint, char*, int, char*, int, int*, int> normalize
    )
    {
        public static IcuNormalizer? TryLoad()
        {
            if (OperatingSystem.IsMacOS())
            {
                return TryLoad("/usr/lib/libicucore.dylib", "");
            }
            for (var version = 90; version >= 50; version--)
            {
                if (TryLoad($"libicuuc.so.{version}", $"_{version}") is { } found)
                {
                    return found;
                }
            }
            return TryLoad("libicuuc.so", "");
        }

        private static IcuNormalizer? TryLoad(string library, string suffix)
        {
            if (!NativeLibrary.TryLoad(library, out var handle))
            {
                return null;
            }
            if (
                !NativeLibrary.TryGetExport(handle, "unorm2_getNFCInstance" + suffix, out var get)
                || !NativeLibrary.TryGetExport(handle, "unorm2_normalize" + suffix, out var run)
            )
            {
                return null;
            }
            var error = 0;
            var instance = ((delegate* unmanaged<int*, nint>)get)(&error);
            return error > 0 || instance == 0
                ? null
                : new IcuNormalizer(
                    instance,
                    (delegate* unmanaged<nint, char*, int, char*, int, int*, int>)run
                );
        }

        public string? Normalize(string text)
        {
            var capacity = text.Length * 3 + 16;
            var buffer = new char[capacity];
            var error = 0;
            int length;
            fixed (char* source = text)
            fixed (char* target = buffer)
            {
                length = normalize(instance, source, text.Length, target, capacity, &error);
            }
            return error > 0 || length < 0 || length > capacity
                ? null
                : new string(buffer, 0, length);
        }
    }
}
