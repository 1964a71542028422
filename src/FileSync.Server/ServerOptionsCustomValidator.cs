using Microsoft.Extensions.Options;

namespace FileSync.Server;

/// <summary>Rules of <see cref="ServerOptions"/> that attributes cannot express.</summary>
internal sealed class ServerOptionsCustomValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        if (options.ApiKey is not null && string.IsNullOrWhiteSpace(options.ApiKey))
        {
            builder.AddError(
                "must not be empty or white space when given",
                nameof(ServerOptions.ApiKey)
            );
        }
        if (options.MirrorDirectory.Contains('\0', StringComparison.Ordinal))
        {
            builder.AddError("must not contain NUL", nameof(ServerOptions.MirrorDirectory));
        }
        AddIfNotPositive(
            builder,
            options.KeepAliveInterval,
            nameof(ServerOptions.KeepAliveInterval)
        );
        AddIfNotPositive(builder, options.KeepAliveTimeout, nameof(ServerOptions.KeepAliveTimeout));
        AddIfNotPositive(builder, options.SendTimeout, nameof(ServerOptions.SendTimeout));
        AddIfNotPositive(builder, options.CloseTimeout, nameof(ServerOptions.CloseTimeout));
        return builder.Build();
    }

    private static void AddIfNotPositive(
        ValidateOptionsResultBuilder builder,
        TimeSpan value,
        string member
    )
    {
        if (value <= TimeSpan.Zero)
        {
            builder.AddError("must be positive", member);
        }
    }
}
