namespace FileSync.Edge.Filtering.Secrets;

/// <summary>
/// One rule of the secret guard: its stable id (shown in logs and status as the reason a file is withheld)
/// and what it recognises. Never carries the matched text.
/// </summary>
public sealed record SecretRule(string Id, string Description);
