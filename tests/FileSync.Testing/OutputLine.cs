namespace FileSync.Testing;

/// <summary>
/// A line a child process wrote: its text, whether it came from stderr, and the
/// <see cref="System.Diagnostics.Stopwatch"/> timestamp at which it was read.
/// </summary>
public readonly record struct OutputLine(long Timestamp, string Text, bool FromStderr = false);
