namespace FileSync.Edge.Tests.Filtering;

/// <summary>git's answer for one path.</summary>
/// <param name="Path">The path that was asked about.</param>
/// <param name="Ignored">git reported a matching non-negated pattern.</param>
/// <param name="Reason">The <c>source:line:pattern</c> git reported, or empty.</param>
internal sealed record GitVerdict(string Path, bool Ignored, string Reason);
