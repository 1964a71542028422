namespace FileSync.Testing;

/// <summary>A child process did not print what was waited for: it exited first, or the deadline passed.</summary>
public sealed class ChildProcessException(string message) : Exception(message);
