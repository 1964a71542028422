namespace FileSync.Tray.Linux;

/// <summary>
/// The StatusNotifierItem spec lets a tooltip's title and text carry a small HTML-like markup; hosts such as
/// Xfce parse it, and a bare <c>&amp;</c> or <c>&lt;</c> (a workspace <c>R&amp;D_&lt;beta&gt;</c>, a URL's query, an
/// error text) makes the whole tooltip fail to show. Plain text is therefore sent escaped.
/// </summary>
public static class SniMarkup
{
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
}
