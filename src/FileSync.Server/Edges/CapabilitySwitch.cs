namespace FileSync.Server.Edges;

/// <summary>A <c>--no-…</c> switch of the server's command line that turns one capability off.</summary>
/// <param name="Flag">The option's name on the command line.</param>
/// <param name="Description">Its help text.</param>
/// <param name="IsOn">Whether <see cref="ServerOptions"/> leave the capability on.</param>
/// <param name="TurnOff">Turns it off in <see cref="ServerOptions"/>.</param>
internal sealed record CapabilitySwitch(
    string Flag,
    string Description,
    Func<ServerOptions, bool> IsOn,
    Action<ServerOptions> TurnOff
);
