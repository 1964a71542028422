using Microsoft.Extensions.Options;

namespace FileSync.Edge.Workspace;

/// <summary>Attribute rules of <see cref="SyncOptions"/>, source-generated (trim-safe).</summary>
[OptionsValidator]
public sealed partial class SyncOptionsValidator : IValidateOptions<SyncOptions>;
