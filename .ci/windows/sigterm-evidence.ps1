# Waits with a SIGTERM handler and a Ctrl+C handler registered (plain .NET, no FileSync code); the Windows
# suite sends SIGTERM to this process under Wine and looks for the marker file a handler writes.
param([Parameter(Mandatory)] [string] $Marker)
Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.Runtime.InteropServices;
public static class SignalWitness
{
    private static PosixSignalRegistration s_term;
    public static void Arm(string marker)
    {
        s_term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => File.WriteAllText(marker, "handled SIGTERM"));
        Console.CancelKeyPress += (s, e) => File.WriteAllText(marker, "handled Ctrl+C");
    }
}
'@
[SignalWitness]::Arm($Marker)
Write-Output 'sigterm-evidence: waiting'
Start-Sleep -Seconds 60
