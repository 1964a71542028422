namespace FileSync.Edge.Uplink;

/// <summary>Why the connection last failed (cause and hint, one line: <see cref="ConnectionFailure"/>), and when.</summary>
public sealed record ConnectionProblem(string Text, DateTimeOffset At);
