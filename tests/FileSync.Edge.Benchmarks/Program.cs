using System.Globalization;
using System.Text;
using FileSync.Edge.Benchmarks;
using FileSync.Edge.Benchmarks.InProcess;
using FileSync.Edge.Benchmarks.Processes;

// Benchmark harness for issues #7 and #8. Not a test: it measures and reports, it asserts nothing about
// time. Progress goes to stderr, the markdown report to stdout (and to --out). Exit code 0 when every
// measurement could be made, 1 when one could not (the report then says which), 2 on bad arguments.

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
if (!OperatingSystem.IsLinux())
{
    await Console.Error.WriteLineAsync("the benchmark reads /proc and uses inotify: Linux only");
    return 2;
}
if (options.InProcess)
{
    return await InProcessMain.RunAsync(options);
}
foreach (var executable in new[] { options.AgentExecutable, options.ServerExecutable })
{
    if (!File.Exists(executable))
    {
        await Console.Error.WriteLineAsync(
            $"not found: {executable} (build with: dotnet build -c Release)"
        );
        return 2;
    }
}

if (options.ManyEdges.Count > 0)
{
    return await FileSync.Edge.Benchmarks.ManyEdges.ManyEdgesBenchmark.RunAsync(options);
}

var startedAt = DateTimeOffset.UtcNow;
var runner = new BenchmarkRunner(options, Console.Error);
var exitCode = 0;
try
{
    await runner.RunAsync();
}
catch (Exception ex) when (ex is BenchmarkException or ChildProcessException or TimeoutException)
{
    runner.Notes.Add($"The run stopped early: {ex.Message.Split('\n')[0]}");
    await Console.Error.WriteLineAsync($"benchmark failed: {ex.Message}");
    exitCode = 1;
}

if (!options.Keep && Directory.Exists(options.WorkDirectory))
{
    Directory.Delete(options.WorkDirectory, recursive: true);
}

var report = Report.Build(runner, options, startedAt);
Console.Out.Write(report);
if (options.OutputFile is { } output)
{
    Directory.CreateDirectory(Path.GetDirectoryName(output)!);
    await File.WriteAllTextAsync(output, report);
    var csv = new StringBuilder("scenario,latency_ms\n");
    foreach (var (key, samples) in runner.RawLatencies)
    {
        foreach (var sample in samples)
        {
            csv.Append(key)
                .Append(',')
                .Append(sample.ToString("F3", CultureInfo.InvariantCulture))
                .Append('\n');
        }
    }
    await File.WriteAllTextAsync(Path.ChangeExtension(output, ".latencies.csv"), csv.ToString());
    await Console.Error.WriteLineAsync($"report written to {output}");
}
return exitCode;
