using Microsoft.Extensions.Options;

namespace FileSync.Edge.Uplink;

/// <summary>Attribute rules of <see cref="UplinkOptions"/>, source-generated (trim-safe), plus the URL scheme.</summary>
[OptionsValidator]
public sealed partial class UplinkOptionsValidator : IValidateOptions<UplinkOptions>;

/// <summary>Cross-field rules of <see cref="UplinkOptions"/>, and the identity.</summary>
public sealed class UplinkOptionsCustomValidator : IValidateOptions<UplinkOptions>
{
    public ValidateOptionsResult Validate(string? name, UplinkOptions options)
    {
        if (options.Server is null)
        {
            return ValidateOptionsResult.Fail(
                "no server URL: pass --server ws://host:port/ws/v1/edge or set FILESYNC_SERVER"
            );
        }
        if (ServerUrl.ToWebSocket(options.Server, out var urlError) is null)
        {
            return ValidateOptionsResult.Fail(urlError);
        }
        if (
            !string.IsNullOrWhiteSpace(options.Proxy)
            && UplinkProxy.Validate(options.Proxy.Trim()) is { } proxyProblem
        )
        {
            return ValidateOptionsResult.Fail($"the proxy (Uplink:Proxy, --proxy): {proxyProblem}");
        }
        if (
            !string.IsNullOrEmpty(options.Fingerprint)
            && MachineFingerprint.Validate(options.Fingerprint) is { } problem
        )
        {
            return ValidateOptionsResult.Fail(
                $"the identity (Uplink:Fingerprint, --name) {problem}"
            );
        }
        if (options.LongRetryMaxSeconds < options.LongRetrySeconds)
        {
            return ValidateOptionsResult.Fail(
                $"Uplink:LongRetryMaxSeconds ({options.LongRetryMaxSeconds}) is less than Uplink:LongRetrySeconds ({options.LongRetrySeconds})"
            );
        }
        return ValidateOptionsResult.Success;
    }
}
