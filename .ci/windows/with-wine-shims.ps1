# Runs a script of installer\windows under Wine with two stand-ins, each shown to be needed by the suite
# (.ci/windows/cim-evidence.ps1 with plain PowerShell):
#   Get-CimInstance  WMI queries fail under Wine: here it answers nothing. install.ps1 uses it only to find
#                    running launchers (Stop-Agent); Get-Process still finds the agents.
#   icacls.exe       Wine's icacls.exe is not found by PowerShell's command lookup: here it is called by its path.
# The script's arguments come in FILESYNC_SHIM_ARGUMENTS (one PowerShell argument string), since a value
# that starts with '-' cannot be passed to -File as a parameter value.
param([Parameter(Mandatory)] [string] $Script)
$Arguments = $env:FILESYNC_SHIM_ARGUMENTS
function Get-CimInstance {
    [Console]::Error.WriteLine('wine-shim: Get-CimInstance answers nothing under Wine')
}
function icacls.exe {
    & (Join-Path $env:SystemRoot 'System32\icacls.exe') @args
}
Invoke-Expression "& '$Script' $Arguments"
exit $LASTEXITCODE
