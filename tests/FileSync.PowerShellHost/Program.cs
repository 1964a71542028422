using System.Management.Automation.Runspaces;
using Microsoft.PowerShell;

// The console host of PowerShell 7 (the same command line as pwsh: -NoProfile, -File, -Command, ...).
return ConsoleShell.Start(
    InitialSessionState.CreateDefault2(),
    bannerText: null,
    helpText: null,
    args
);
