namespace FileSync.Edge.Benchmarks.Processes;

/// <summary>A measurement could not be made (a process failed, the mirror never converged).</summary>
internal sealed class BenchmarkException(string message) : Exception(message);
