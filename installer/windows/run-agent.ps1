<#
.SYNOPSIS
Runs the installed FileSync.Edge agent in the background; started at logon by install.ps1.

.DESCRIPTION
install.ps1 copies this script next to filesync-edge.exe (%LOCALAPPDATA%\FileSync.Edge) and starts it
at logon from the per-user Run key, as a hidden Windows PowerShell window. It:
  - runs filesync-edge.exe with the config %APPDATA%\filesync-edge\config.json;
  - writes the agent's log to logs\filesync-edge.log beside it (the previous two runs are kept as
    filesync-edge.1.log and filesync-edge.2.log);
  - restarts the agent 10 s after it crashed or hit a fatal error (exit code 1 or other), but not
    after a clean stop (0), bad arguments or config (2), a rejected API key (3) or another agent
    holding this identity (4);
  - runs once per user session (a second copy exits at once).
#>
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$installDir = $PSScriptRoot
$exe = Join-Path $installDir 'filesync-edge.exe'
$config = Join-Path $env:APPDATA 'filesync-edge\config.json'
$logDir = Join-Path $installDir 'logs'
$log = Join-Path $logDir 'filesync-edge.log'
$outLog = Join-Path $logDir 'filesync-edge.stdout.log'

New-Item -ItemType Directory -Force -Path $logDir | Out-Null

$createdNew = $false
$mutex = New-Object System.Threading.Mutex($true, 'Local\FileSync.Edge.Agent', [ref] $createdNew)
if (-not $createdNew) {
    exit 0
}

# The log is UTF-8 without a BOM, as the agent writes it (Add-Content would write the ANSI code page
# in Windows PowerShell 5.1).
$utf8 = New-Object System.Text.UTF8Encoding $false

function Write-LauncherLine([string] $Text) {
    $line = '{0} launcher: {1}' -f (Get-Date -Format 's'), $Text
    [System.IO.File]::AppendAllText($log, $line + [Environment]::NewLine, $utf8)
}

function Move-OldLogs {
    $older = Join-Path $logDir 'filesync-edge.2.log'
    $old = Join-Path $logDir 'filesync-edge.1.log'
    if (Test-Path -LiteralPath $old) { Move-Item -Force -LiteralPath $old -Destination $older }
    if (Test-Path -LiteralPath $log) { Move-Item -Force -LiteralPath $log -Destination $old }
}

try {
    while ($true) {
        Move-OldLogs
        if (-not (Test-Path -LiteralPath $exe)) {
            Write-LauncherLine "$exe is missing; not starting"
            break
        }
        # The agent logs to stderr; its stdout only carries interactive progress, which is off here.
        # Windows PowerShell does not quote -ArgumentList items, so the path is quoted here.
        $process = Start-Process -FilePath $exe -ArgumentList @('--config', "`"$config`"") -NoNewWindow -PassThru `
            -RedirectStandardError $log -RedirectStandardOutput $outLog
        # Reading Handle now keeps ExitCode available after the exit (a Start-Process quirk).
        $null = $process.Handle
        $process.WaitForExit()
        $code = $process.ExitCode
        Write-LauncherLine "filesync-edge exited with code $code"
        if ($code -eq 0 -or $code -eq 2 -or $code -eq 3 -or $code -eq 4) {
            break
        }
        Write-LauncherLine 'restarting in 10 s'
        Start-Sleep -Seconds 10
    }
}
finally {
    $mutex.ReleaseMutex()
    $mutex.Dispose()
}
