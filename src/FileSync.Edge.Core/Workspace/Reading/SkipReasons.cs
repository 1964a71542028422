namespace FileSync.Edge.Workspace;

/// <summary>The names of the reasons a file is skipped, as status and logs show them.</summary>
public static class SkipReasons
{
    public const string TooLarge = "too_large";
    public const string Binary = "binary";
    public const string NotUtf8 = "not_utf8";
    public const string InvalidName = "invalid_name";
    public const string NameConflict = "name_conflict";

    public static string Of(FileReadStatus status) =>
        status switch
        {
            FileReadStatus.TooLarge => TooLarge,
            FileReadStatus.Binary => Binary,
            FileReadStatus.NotUtf8 => NotUtf8,
            FileReadStatus.InvalidName => InvalidName,
            FileReadStatus.NameConflict => NameConflict,
            _ => status.ToString().ToLowerInvariant(),
        };
}
