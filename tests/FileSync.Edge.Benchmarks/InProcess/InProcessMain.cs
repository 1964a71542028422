using FileSync.Edge.Benchmarks.Processes;

namespace FileSync.Edge.Benchmarks.InProcess;

/// <summary><c>--index-only</c> / <c>--hash-only</c>: runs the in-process measures and writes their report.</summary>
internal static class InProcessMain
{
    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var benchmarks = new InProcessBenchmarks(options, Console.Error);
        var exitCode = 0;
        string? failure = null;
        try
        {
            benchmarks.Run();
        }
        catch (BenchmarkException ex)
        {
            failure = ex.Message.Split('\n')[0];
            await Console.Error.WriteLineAsync($"benchmark failed: {ex.Message}");
            exitCode = 1;
        }
        finally
        {
            if (!options.Keep && Directory.Exists(options.WorkDirectory))
            {
                Directory.Delete(options.WorkDirectory, recursive: true);
            }
        }
        var report = InProcessReport.Build(benchmarks, options, startedAt, failure);
        Console.Out.Write(report);
        if (options.OutputFile is { } output)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            await File.WriteAllTextAsync(output, report);
            await Console.Error.WriteLineAsync($"report written to {output}");
        }
        return exitCode;
    }
}
