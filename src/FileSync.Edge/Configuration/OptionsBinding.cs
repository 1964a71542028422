using FileSync.Edge.Control;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;
using Microsoft.Extensions.Configuration;

namespace FileSync.Edge.Configuration;

/// <summary>
/// Binds every options section once before the host is built, so a value the binder cannot convert is
/// one clear start-up error (the config file reader refuses most such values first; this covers the
/// rest, whatever their source) instead of an exception in the middle of the host's start.
/// </summary>
internal static class OptionsBinding
{
    /// <summary>Null when every section binds; else what the binder said.</summary>
    public static string? Problem(IConfiguration configuration)
    {
        try
        {
            _ = configuration.GetSection(SyncOptions.SectionName).Get<SyncOptions>();
            _ = configuration.GetSection(UplinkOptions.SectionName).Get<UplinkOptions>();
            _ = configuration.GetSection(ControlOptions.SectionName).Get<ControlOptions>();
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            return ex.Message;
        }
    }
}
