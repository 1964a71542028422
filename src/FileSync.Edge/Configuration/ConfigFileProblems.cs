using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FileSync.Edge.Configuration;

/// <summary>One-line descriptions of what is wrong with a config file, for <see cref="ConfigFileException"/>.</summary>
internal static partial class ConfigFileProblems
{
    private const int MaxQuotedValueLength = 60;

    /// <summary>"not valid JSON: 'x' is an invalid start of a value (line 3, position 14)".</summary>
    internal static string DescribeSyntaxError(JsonException ex)
    {
        var detail = ex.Message;
        foreach (var marker in new[] { " LineNumber:", " Path:" })
        {
            var at = detail.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                detail = detail[..at];
            }
        }
        detail = OneLine(detail).Trim().TrimEnd('.');
        var where = ex.LineNumber is { } line
            ? string.Create(
                CultureInfo.InvariantCulture,
                $" (line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1})"
            )
            : "";
        return $"not valid JSON: {detail}{where}";
    }

    /// <summary>"'Sync:MaxFiles' must be a whole number, not 'abc'" from the binder's message.</summary>
    internal static string DescribeBindingError(InvalidOperationException ex)
    {
        var match = BindingFailure().Match(ex.Message);
        if (!match.Success)
        {
            return $"invalid value: {OneLine(ex.Message).TrimEnd('.')}";
        }
        var value = OneLine(match.Groups["value"].Value);
        if (value.Length > MaxQuotedValueLength)
        {
            value = value[..MaxQuotedValueLength] + "…";
        }
        var expected = match.Groups["type"].Value switch
        {
            "System.Int32" => "a whole number (at most 2147483647)",
            "System.Int64" => "a whole number",
            "System.Boolean" => "true or false",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.TimeSpan" => "a time span such as 00:00:30",
            "System.Uri" => "a URL",
            var type => $"a value of type {type}",
        };
        return $"'{match.Groups["key"].Value}' must be {expected}, not '{value}'";
    }

    [GeneratedRegex(
        "^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'",
        RegexOptions.Singleline
    )]
    private static partial Regex BindingFailure();

    internal static string KindName(JsonValueKind kind) =>
        kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            _ => "nothing",
        };

    internal static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex;
    }

    /// <summary>Errors are one line: control characters (a newline in a quoted value) become '?'.</summary>
    internal static string OneLine(string text) =>
        string.Create(
            text.Length,
            text,
            static (buffer, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    buffer[i] = char.IsControl(source[i]) ? '?' : source[i];
                }
            }
        );
}
