<#
.SYNOPSIS
Installs the FileSync.Edge agent for the current Windows user (no administrator rights needed).

.DESCRIPTION
  binary  %LOCALAPPDATA%\FileSync.Edge\filesync-edge.exe, with run-agent.ps1 (the launcher) beside it
  config  %APPDATA%\filesync-edge\config.json, readable by the current user only (inheritance removed,
          one full-control entry for the user's SID), since it holds the API key. Written when
          -Server, -ApiKey/-ApiKeyFile or -Workspace is given (then -Server and at least one
          workspace are required); otherwise an existing config is kept as it is.
  start   a value "FileSync.Edge" under HKCU\Software\Microsoft\Windows\CurrentVersion\Run runs the
          launcher hidden at every logon; the launcher restarts the agent after a crash. The agent is
          also started right away unless -NoStart is given.
  logs    %LOCALAPPDATA%\FileSync.Edge\logs\filesync-edge.log (and .1.log, .2.log: the previous runs)
  tray    %LOCALAPPDATA%\FileSync.Edge\filesync-tray.exe (the notification-area icon), started at every
          logon by a value "FileSync.Tray" next to the agent's under the same Run key (with --no-start:
          the launcher keeps the agent running), and right away unless -NoStart. Skipped with -NoTray
          or when no filesync-tray.exe is found (-TrayBinary, else next to the agent's binary or this
          script, else artifacts\win-x64\).

-Uninstall stops the agent and the tray, removes both Run values, the binaries and the launcher. It keeps the config
(server URL, API key, workspaces) and the logs, so a later install picks the config up again;
-Purge also removes the config folder, the logs and the agent's state (%LOCALAPPDATA%\filesync-edge).
It never asks.

The binary is -Binary, else filesync-edge.exe next to this script, else
artifacts\win-x64\filesync-edge.exe of the repository (publish.ps1 output).

Exit codes: 0 done, 1 failure, 2 bad arguments.

.EXAMPLE
.\install.ps1 -Server wss://sync.example.com/ws/v1/edge -ApiKeyFile .\key.txt -Workspace C:\code\project

.EXAMPLE
.\install.ps1 -Uninstall -Purge
#>
[CmdletBinding()]
param(
    [string] $Server = '',
    [string] $ApiKey = '',
    [string] $ApiKeyFile = '',
    [string[]] $Workspace = @(),
    [string] $Binary = '',
    [string] $TrayBinary = '',
    [switch] $NoTray,
    [switch] $NoStart,
    [switch] $Uninstall,
    [switch] $Purge
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Stop-WithError([string] $Message, [int] $Code = 1) {
    [Console]::Error.WriteLine("install: error: $Message")
    exit $Code
}

if ($env:OS -ne 'Windows_NT') {
    Stop-WithError 'this is the Windows installer; use installer/linux/install.sh or installer/macos/install.sh'
}
if (-not $env:LOCALAPPDATA -or -not $env:APPDATA) {
    Stop-WithError 'LOCALAPPDATA and APPDATA must be set'
}

$installDir = Join-Path $env:LOCALAPPDATA 'FileSync.Edge'
$exePath = Join-Path $installDir 'filesync-edge.exe'
$launcherPath = Join-Path $installDir 'run-agent.ps1'
$logDir = Join-Path $installDir 'logs'
$configDir = Join-Path $env:APPDATA 'filesync-edge'
$configPath = Join-Path $configDir 'config.json'
$stateDir = Join-Path $env:LOCALAPPDATA 'filesync-edge'
$runKey = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run'
$runValue = 'FileSync.Edge'
$trayPath = Join-Path $installDir 'filesync-tray.exe'
$trayRunValue = 'FileSync.Tray'
$trayCommand = "`"$trayPath`" --config `"$configPath`" --no-start"
$powershellExe = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'
$launchCommand = "`"$powershellExe`" -NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -File `"$launcherPath`""

if ($Purge -and -not $Uninstall) {
    Stop-WithError '-Purge only goes with -Uninstall' 2
}

# Stops the launcher first (it would restart the agent), then the agent installed here.
function Stop-Agent {
    $launchers = @(Get-CimInstance Win32_Process -Filter "Name = 'powershell.exe' OR Name = 'pwsh.exe'" -ErrorAction SilentlyContinue |
        Where-Object { $_.CommandLine -and $_.CommandLine.Contains($launcherPath) })
    foreach ($launcher in $launchers) {
        Stop-Process -Id $launcher.ProcessId -Force -ErrorAction SilentlyContinue
    }
    $agents = @(Get-Process -Name 'filesync-edge' -ErrorAction SilentlyContinue |
        Where-Object { $_.Path -and ($_.Path -ieq $exePath) })
    foreach ($agent in $agents) {
        Stop-Process -Id $agent.Id -Force -ErrorAction SilentlyContinue
        $agent.WaitForExit(10000) | Out-Null
    }
    return ($launchers.Count + $agents.Count)
}

# Stops the tray installed here (it holds its exe open).
function Stop-Tray {
    $trays = @(Get-Process -Name 'filesync-tray' -ErrorAction SilentlyContinue |
        Where-Object { $_.Path -and ($_.Path -ieq $trayPath) })
    foreach ($tray in $trays) {
        Stop-Process -Id $tray.Id -Force -ErrorAction SilentlyContinue
        $tray.WaitForExit(10000) | Out-Null
    }
    return $trays.Count
}

if ($Uninstall) {
    $stopped = Stop-Agent
    if ($stopped -gt 0) { Write-Output "install: stopped the running agent" }
    if ((Stop-Tray) -gt 0) { Write-Output "install: stopped the tray" }
    $removed = New-Object System.Collections.Generic.List[string]
    foreach ($value in @($runValue, $trayRunValue)) {
        if (Get-ItemProperty -Path $runKey -Name $value -ErrorAction SilentlyContinue) {
            Remove-ItemProperty -Path $runKey -Name $value
            $removed.Add("$runKey\$value")
        }
    }
    foreach ($path in @($exePath, $launcherPath, $trayPath)) {
        if (Test-Path -LiteralPath $path) {
            Remove-Item -Force -LiteralPath $path
            $removed.Add($path)
        }
    }
    if ($Purge) {
        foreach ($path in @($logDir, $configDir, $stateDir)) {
            if (Test-Path -LiteralPath $path) {
                Remove-Item -Recurse -Force -LiteralPath $path
                $removed.Add($path)
            }
        }
    }
    if ((Test-Path -LiteralPath $installDir) -and -not (Get-ChildItem -Force -LiteralPath $installDir)) {
        Remove-Item -Force -LiteralPath $installDir
    }
    if ($removed.Count -eq 0) {
        Write-Output 'install: nothing to remove: filesync-edge is not installed for this user'
    }
    foreach ($path in $removed) {
        Write-Output "install: removed $path"
    }
    if (-not $Purge -and (Test-Path -LiteralPath $configPath)) {
        Write-Output "install: kept $configPath (server, API key, workspaces) and the logs; remove them with: install.ps1 -Uninstall -Purge"
    }
    exit 0
}

# --- install ---

if (-not $Binary) {
    $candidates = @(
        (Join-Path $PSScriptRoot 'filesync-edge.exe'),
        (Join-Path $PSScriptRoot '..\..\artifacts\win-x64\filesync-edge.exe')
    )
    foreach ($candidate in $candidates) {
        if (Test-Path -LiteralPath $candidate -PathType Leaf) {
            $Binary = $candidate
            break
        }
    }
    if (-not $Binary) {
        Stop-WithError 'no filesync-edge.exe found next to this script or in artifacts\win-x64\; run .\publish.ps1 win-x64 or pass -Binary <path>'
    }
}
if (-not (Test-Path -LiteralPath $Binary -PathType Leaf)) {
    Stop-WithError "-Binary '$Binary' is not a file"
}
$launcherSource = Join-Path $PSScriptRoot 'run-agent.ps1'
if (-not (Test-Path -LiteralPath $launcherSource -PathType Leaf)) {
    Stop-WithError "the launcher $launcherSource is missing"
}

$apiKeyGiven = $false
if ($ApiKeyFile) {
    if (-not (Test-Path -LiteralPath $ApiKeyFile -PathType Leaf)) {
        Stop-WithError "cannot read -ApiKeyFile '$ApiKeyFile'" 2
    }
    $ApiKey = ([string](Get-Content -LiteralPath $ApiKeyFile -TotalCount 1)).Trim()
    if (-not $ApiKey) {
        Stop-WithError "-ApiKeyFile '$ApiKeyFile' is empty" 2
    }
    $apiKeyGiven = $true
}
elseif ($ApiKey) {
    $apiKeyGiven = $true
}

$writeConfig = $false
$resolvedWorkspaces = New-Object System.Collections.Generic.List[string]
if ($Server -or $apiKeyGiven -or $Workspace.Count -gt 0) {
    $writeConfig = $true
    if (-not $Server) {
        Stop-WithError '-Server is required when writing the config' 2
    }
    if (-not ($Server.StartsWith('ws://') -or $Server.StartsWith('wss://'))) {
        Stop-WithError "-Server must be a ws:// or wss:// URL, not '$Server'" 2
    }
    if ($Workspace.Count -eq 0) {
        Stop-WithError 'give at least one workspace folder (-Workspace <dir>)' 2
    }
    foreach ($folder in $Workspace) {
        if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
            Stop-WithError "workspace '$folder' is not an existing folder" 2
        }
        $resolvedWorkspaces.Add((Resolve-Path -LiteralPath $folder).ProviderPath)
    }
}
elseif (-not (Test-Path -LiteralPath $configPath)) {
    Stop-WithError "no config at $configPath yet: give -Server <ws-url> and at least one -Workspace <dir>" 2
}

if (-not $NoTray -and -not $TrayBinary) {
    foreach ($candidate in @(
            (Join-Path (Split-Path -Parent $Binary) 'filesync-tray.exe'),
            (Join-Path $PSScriptRoot 'filesync-tray.exe'),
            (Join-Path $PSScriptRoot '..\..\artifacts\win-x64\filesync-tray.exe'))) {
        if (Test-Path -LiteralPath $candidate -PathType Leaf) {
            $TrayBinary = $candidate
            break
        }
    }
}
if ($TrayBinary -and -not (Test-Path -LiteralPath $TrayBinary -PathType Leaf)) {
    Stop-WithError "-TrayBinary '$TrayBinary' is not a file" 2
}

# A running agent (or tray) locks its exe: stop it before replacing the file.
$stopped = Stop-Agent
if ($stopped -gt 0) { Write-Output 'install: stopped the running agent' }
if ((Stop-Tray) -gt 0) { Write-Output 'install: stopped the tray' }

New-Item -ItemType Directory -Force -Path $installDir | Out-Null
Copy-Item -Force -LiteralPath $Binary -Destination $exePath
Copy-Item -Force -LiteralPath $launcherSource -Destination $launcherPath
# A downloaded file carries the Internet zone mark; the installed copies should not prompt.
Unblock-File -LiteralPath $exePath -ErrorAction SilentlyContinue
Unblock-File -LiteralPath $launcherPath -ErrorAction SilentlyContinue
$version = ''
try {
    $ErrorActionPreference = 'Continue'
    $version = (& $exePath --version 2>$null | Out-String).Trim()
}
catch {
    $version = ''
}
finally {
    $ErrorActionPreference = 'Stop'
}
if (-not $version) {
    Stop-WithError "'$Binary' does not run on this machine (is it the win-x64 build?)"
}
Write-Output "install: installed $exePath ($version)"

# Restricts $Path to the current user: inheritance removed, one full-control entry for the user's SID.
function Set-UserOnlyAcl([string] $Path) {
    $sid = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value
    $output = & icacls.exe $Path /inheritance:r /grant:r "*${sid}:(F)" 2>&1
    if ($LASTEXITCODE -ne 0) {
        Stop-WithError "icacls could not restrict $Path to the current user: $output"
    }
}

if ($writeConfig) {
    $uplink = [ordered]@{ Server = $Server }
    if ($ApiKey) { $uplink.ApiKey = $ApiKey }
    $document = [ordered]@{ Uplink = $uplink; Workspaces = $resolvedWorkspaces.ToArray() }
    $json = ConvertTo-Json -InputObject $document -Depth 5
    New-Item -ItemType Directory -Force -Path $configDir | Out-Null
    # Create the file empty, restrict it, then write: the key is never in a file others can read.
    if (-not (Test-Path -LiteralPath $configPath)) {
        [System.IO.File]::WriteAllText($configPath, '')
    }
    Set-UserOnlyAcl $configPath
    [System.IO.File]::WriteAllText($configPath, $json, (New-Object System.Text.UTF8Encoding($false)))
    Write-Output "install: wrote $configPath (readable by $([Environment]::UserName) only)"
}
else {
    Set-UserOnlyAcl $configPath
    Write-Output "install: kept the existing $configPath"
}

# Never New-Item -Force on a registry key: it would recreate the key and drop the other Run entries.
if (-not (Test-Path -LiteralPath $runKey)) {
    New-Item -Path $runKey | Out-Null
}
Set-ItemProperty -Path $runKey -Name $runValue -Value $launchCommand
Write-Output "install: registered start at logon ($runKey\$runValue)"

if ($NoStart) {
    Write-Output "install: not started (-NoStart); it starts at your next logon, or now with: $launchCommand"
}
else {
    Start-Process -FilePath $powershellExe -WindowStyle Hidden -ArgumentList @(
        '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-WindowStyle', 'Hidden', '-File', "`"$launcherPath`"")
    Write-Output "install: started; log: $(Join-Path $logDir 'filesync-edge.log')"
}

if ($NoTray -or -not $TrayBinary) {
    if (Get-ItemProperty -Path $runKey -Name $trayRunValue -ErrorAction SilentlyContinue) {
        Remove-ItemProperty -Path $runKey -Name $trayRunValue
    }
    Write-Output "install: no tray icon installed ($(if ($NoTray) { '-NoTray' } else { 'no filesync-tray.exe found' }))"
}
else {
    Copy-Item -Force -LiteralPath $TrayBinary -Destination $trayPath
    Unblock-File -LiteralPath $trayPath -ErrorAction SilentlyContinue
    Set-ItemProperty -Path $runKey -Name $trayRunValue -Value $trayCommand
    Write-Output "install: installed $trayPath; registered start at logon ($runKey\$trayRunValue)"
    if (-not $NoStart) {
        Start-Process -FilePath $trayPath -ArgumentList @('--config', "`"$configPath`"", '--no-start')
        Write-Output 'install: started the tray'
    }
}
