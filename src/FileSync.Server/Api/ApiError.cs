namespace FileSync.Server.Api;

/// <summary>Body of a 4xx answer of the admin API.</summary>
internal sealed record ApiError(string Error);
