# Plain PowerShell under Wine (no FileSync code): the suite's evidence for the two stand-ins that
# with-wine-shims.ps1 gives install.ps1.
$ErrorActionPreference = 'Continue'
# 1. Command lookup of Wine's own icacls.exe on PATH.
$icacls = Join-Path $env:SystemRoot 'System32\icacls.exe'
$found = Get-Command icacls.exe -ErrorAction SilentlyContinue
Write-Output "evidence: icacls: $(if ($found) { "found at $($found.Source)" } else { "not found by Get-Command although Test-Path $icacls is $(Test-Path -LiteralPath $icacls); PATHEXT='$env:PATHEXT'" })"
# 2. A WMI query.
try {
    $answer = @(Get-CimInstance Win32_Process -OperationTimeoutSec 5 -ErrorAction Stop)
    Write-Output "evidence: cim: answered with $($answer.Count) processes"
}
catch {
    Write-Output "evidence: cim: failed: $($_.Exception.GetType().Name): $($_.Exception.Message)"
}
Write-Output 'evidence: done'
