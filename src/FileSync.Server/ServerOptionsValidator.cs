using Microsoft.Extensions.Options;

namespace FileSync.Server;

/// <summary>Attribute rules of <see cref="ServerOptions"/> (source-generated, trim-safe).</summary>
[OptionsValidator]
internal sealed partial class ServerOptionsValidator : IValidateOptions<ServerOptions>;
