namespace FileSync.Edge.Local;

/// <summary>A file that is skipped or failed, and why (<c>too_large</c>, <c>binary</c>, an error text, …).</summary>
public sealed record FileProblemView(string Path, string Reason);
