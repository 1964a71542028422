using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FileSync.Edge.Benchmarks.Measuring;

/// <summary>
/// Where an initial sync's time goes, from the two lines the programs log after it: the agent's
/// "initial sync time: scan … ms, read+hash … ms, manifest exchange … ms, send … ms (hash workers:
/// read+hash … ms, compress … ms; loop: frame … ms, socket … ms), file_done acknowledged … ms" and the
/// server's "applied N files since the last file_done: parse … ms, decode … ms, verify … ms, write … ms".
/// Stored as measurements <c>{prefix}.breakdown.*</c> (milliseconds) and reported as two rows.
/// </summary>
internal static class SyncBreakdown
{
    public const string AgentMarker = "initial sync time:";
    public const string ServerMarker = "since the last file_done:";

    private static readonly string[] s_agentParts =
    [
        "scan",
        "read+hash",
        "manifest exchange",
        "send",
        "hash workers: read+hash",
        "compress",
        "frame",
        "socket",
        "file_done acknowledged",
    ];

    private static readonly string[] s_serverParts = ["parse", "decode", "verify", "write"];

    /// <summary>Adds what <paramref name="agentLine"/> and <paramref name="serverLine"/> say (either may be null).</summary>
    public static void Add(
        Measurements measurements,
        string prefix,
        string? agentLine,
        string? serverLine
    )
    {
        foreach (var (part, ms) in Parse(agentLine, s_agentParts))
        {
            measurements.Add($"{prefix}.breakdown.agent.{Key(part)}.ms", ms);
        }
        foreach (var (part, ms) in Parse(serverLine, s_serverParts))
        {
            measurements.Add($"{prefix}.breakdown.server.{Key(part)}.ms", ms);
        }
    }

    /// <summary>The two report rows (agent, server), as the table's measure and agent cells.</summary>
    public static IEnumerable<(string Measure, string Agent)> Rows(Measurements m, string prefix)
    {
        string Cell(string side, string[] parts) =>
            string.Join(
                " / ",
                parts.Select(p => Report.F(m.Median($"{prefix}.breakdown.{side}.{Key(p)}.ms"), 0))
            );
        yield return (
            "   where the agent's time went (ms): scan / read+hash / manifest exchange / send pass (inside it, summed over the hash workers: read+hash / compress; on the loop: frame / socket) / file_done acknowledged",
            Cell("agent", s_agentParts)
        );
        yield return (
            "   where the server's time went (ms, summed over the files it applied): parse / decode / verify / write",
            Cell("server", s_serverParts)
        );
    }

    private static IEnumerable<(string Part, double Ms)> Parse(string? line, string[] parts)
    {
        if (line is null)
        {
            yield break;
        }
        foreach (var part in parts)
        {
            var match = Regex.Match(line, Regex.Escape(part) + @" (\d+(?:\.\d+)?) ms");
            if (match.Success)
            {
                yield return (
                    part,
                    double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
                );
            }
        }
    }

    private static string Key(string part)
    {
        var key = new StringBuilder();
        foreach (var c in part)
        {
            key.Append(char.IsLetterOrDigit(c) ? c : '-');
        }
        return key.ToString();
    }
}
