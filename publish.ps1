<#
.SYNOPSIS
Publishes self-contained executables of the agent (filesync-edge) and of the reference server
(filesync-server) into artifacts\<rid>\, and prints their sizes: Native AOT for this machine's own
OS and architecture (the ILCompiler does not cross-compile between operating systems; on Windows it
needs the Visual Studio C++ build tools), a trimmed single file for the other rids. One line per rid
says which was built; $env:FILESYNC_PUBLISH_MODE = 'aot' or 'single-file' forces one.

.DESCRIPTION
The PowerShell twin of publish.sh, for Windows (Windows PowerShell 5.1 or PowerShell 7).

A rid whose runtime pack cannot be restored from the configured NuGet sources (NU1101/NU1102/NU1103
on Microsoft.*.App.Runtime|Host.<rid>) is skipped with one "SKIP" line, and the other rids go on.

Exit codes:
  0  every requested rid was published, or skipped because its runtime pack is missing, and at
     least one rid was published
  1  a rid failed for another reason: restore failure of another kind (e.g. no network), build
     error, trim/single-file analysis warning (they are errors), output that is not one file, or an
     agent larger than the size limit
  2  bad usage
  3  nothing was published: every requested rid was skipped for a missing runtime pack

Build trees live in artifacts\_build\<rid>\ (bin, obj, logs), so publishing never touches the bin\
and obj\ folders that `dotnet build` and `dotnet test` use.

.PARAMETER Rid
linux-x64, linux-arm64, osx-arm64, osx-x64 or win-x64; default: all five.

.PARAMETER Only
'edge' or 'server' to publish just one of the two executables.

.PARAMETER Configuration
Build configuration (default Release).

.PARAMETER MaxAgentBytes
Size limit of the agent executable (default 13000000 for Native AOT, 25000000 for a single file).

.EXAMPLE
./publish.ps1 win-x64
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0, ValueFromRemainingArguments = $true)]
    [string[]] $Rid = @(),
    [string] $Only = '',
    [string] $Configuration = 'Release',
    [long] $MaxAgentBytes = 0
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
Set-Location -LiteralPath $root
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

$allRids = @('linux-x64', 'linux-arm64', 'osx-arm64', 'osx-x64', 'win-x64')
$projects = @{
    edge   = @{ Path = 'src/FileSync.Edge/FileSync.Edge.csproj'; Name = 'filesync-edge' }
    server = @{ Path = 'src/FileSync.Server/FileSync.Server.csproj'; Name = 'filesync-server' }
}

if ($Only -eq '') {
    $names = @('edge', 'server')
}
elseif ($Only -eq 'edge' -or $Only -eq 'server') {
    $names = @($Only)
}
else {
    [Console]::Error.WriteLine("publish: error: -Only must be 'edge' or 'server', not '$Only'")
    exit 2
}
if ($Rid.Count -eq 0) {
    $Rid = $allRids
}
foreach ($r in $Rid) {
    if ($allRids -notcontains $r) {
        [Console]::Error.WriteLine("publish: error: unsupported runtime identifier '$r' (supported: $($allRids -join ' '))")
        exit 2
    }
}
if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine('publish: error: the .NET 10 SDK is required (dotnet not found on PATH)')
    exit 1
}

# Runs dotnet with its output (stdout and stderr) in $Log; returns the exit code.
function Invoke-Dotnet([string] $Log, [string[]] $Arguments) {
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        & dotnet @Arguments 2>&1 | ForEach-Object { "$_" } | Out-File -FilePath $Log -Encoding utf8
        return $LASTEXITCODE
    }
    finally {
        $ErrorActionPreference = $previous
    }
}

# The distinct "error XX0000: ..." lines of a log, without the trailing "[project]".
function Get-ErrorLines([string] $Log) {
    @(Get-Content -LiteralPath $Log | Where-Object { $_ -match ': error [A-Z]+[0-9]+:' } |
        ForEach-Object { ($_ -replace '^.*: error ', 'error ') -replace ' \[[^\]]*\]$', '' } |
        Sort-Object -Unique)
}

# The missing runtime packs when every restore error is a missing runtime pack of $R; $null otherwise.
function Get-MissingPacks([string] $Log, [string] $R) {
    $errors = Get-ErrorLines $Log
    if ($errors.Count -eq 0) { return $null }
    $pattern = "NU110[123]: Unable to find package (Microsoft\.[A-Za-z]+\.App\.(Runtime|Host|Crossgen2)\.$([regex]::Escape($R))|runtime\.$([regex]::Escape($R))\.[A-Za-z.]+)"
    $others = @($errors | Where-Object { $_ -notmatch $pattern })
    if ($others.Count -gt 0) { return $null }
    $packs = $errors | ForEach-Object { if ($_ -match 'Unable to find package ([^ ]+)') { $Matches[1].TrimEnd('.') } } |
        Sort-Object -Unique
    return ($packs -join ', ')
}

function Format-MB([long] $Bytes) {
    return ('{0:0.0} MB' -f ($Bytes / 1000000.0))
}

function Get-HostRid {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    if ($env:OS -eq 'Windows_NT') { return "win-$arch" }
    if ([System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::OSX)) { return "osx-$arch" }
    return "linux-$arch"
}

$published = 0
$failed = 0
$summary = New-Object System.Collections.Generic.List[string]
$thisHost = Get-HostRid

foreach ($r in $Rid) {
    $build = Join-Path $root "artifacts/_build/$r"
    $out = Join-Path $root "artifacts/$r"
    $logs = Join-Path $build 'logs'
    New-Item -ItemType Directory -Force -Path $logs | Out-Null
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    Write-Output "publish: ${r}: restoring $($names -join ' ')"

    # Native AOT only for this machine's own rid; a trimmed single file elsewhere.
    $mode = if ($env:FILESYNC_PUBLISH_MODE) { $env:FILESYNC_PUBLISH_MODE } elseif ($r -eq $thisHost) { 'aot' } else { 'single-file' }
    $modeArgs = @()
    if ($mode -eq 'aot') {
        $modeArgs = @('-p:PublishAot=true')
        $limit = if ($MaxAgentBytes -gt 0) { $MaxAgentBytes } else { 13000000 }
        Write-Output "publish: ${r}: Native AOT"
    }
    else {
        $limit = if ($MaxAgentBytes -gt 0) { $MaxAgentBytes } else { 25000000 }
        Write-Output "publish: ${r}: trimmed single-file (Native AOT builds only for this machine's own OS and architecture, $thisHost)"
    }

    # Restore first, so a missing runtime pack is told apart from a real failure.
    $state = 'ok'
    foreach ($name in $names) {
        $log = Join-Path $logs "$name-restore.log"
        $code = Invoke-Dotnet $log (@('restore', $projects[$name].Path, '-r', $r, "-p:Configuration=$Configuration", "-p:ArtifactsPath=$build") + $modeArgs)
        if ($code -ne 0) {
            $packs = Get-MissingPacks $log $r
            if ($packs) {
                Write-Output "publish: SKIP ${r}: runtime pack not available from the NuGet sources ($packs)"
                $state = 'skipped'
            }
            else {
                [Console]::Error.WriteLine("publish: FAIL ${r}: restore of $name failed (log: $log):")
                Get-ErrorLines $log | Select-Object -First 10 | ForEach-Object { [Console]::Error.WriteLine("  $_") }
                $state = 'failed'
            }
            break
        }
    }
    if ($state -eq 'skipped') {
        $summary.Add("SKIP $r (runtime pack missing)")
        continue
    }
    if ($state -eq 'failed') {
        $failed++
        $summary.Add("FAIL $r (restore)")
        continue
    }

    New-Item -ItemType Directory -Force -Path $out | Out-Null
    foreach ($name in $names) {
        $log = Join-Path $logs "$name-publish.log"
        $stage = Join-Path $build "publish/$name"
        $exe = $projects[$name].Name
        if ($r.StartsWith('win-')) { $exe = "$exe.exe" }
        if (Test-Path -LiteralPath $stage) { Remove-Item -Recurse -Force -LiteralPath $stage }
        Write-Output "publish: ${r}: publishing $name"
        $code = Invoke-Dotnet $log (@('publish', $projects[$name].Path, '--no-restore', '-r', $r, '-c', $Configuration,
            "-p:ArtifactsPath=$build", '-p:TreatWarningsAsErrors=true', '-o', $stage) + $modeArgs)
        if ($code -ne 0) {
            [Console]::Error.WriteLine("publish: FAIL ${r}: publishing $name failed (log: $log):")
            Get-Content -LiteralPath $log | Where-Object { $_ -match '(error|warning) [A-Z]+[0-9]+' } |
                ForEach-Object { $_ -replace ' \[[^\]]*\]$', '' } | Sort-Object -Unique | Select-Object -First 20 |
                ForEach-Object { [Console]::Error.WriteLine("  $_") }
            $failed++
            $summary.Add("FAIL $r $name (build; see $log)")
            $state = 'failed'
            continue
        }
        # Trim and single-file analysis warnings are errors; make sure none slipped through as warnings.
        $warnings = @(Get-Content -LiteralPath $log | Where-Object { $_ -match 'warning (IL|NETSDK)[0-9]+' })
        if ($warnings.Count -gt 0) {
            [Console]::Error.WriteLine("publish: FAIL ${r}: $name published with trim/single-file warnings (log: $log):")
            $warnings | Sort-Object -Unique | Select-Object -First 20 | ForEach-Object { [Console]::Error.WriteLine("  $_") }
            $failed++
            $summary.Add("FAIL $r $name (trim warnings)")
            $state = 'failed'
            continue
        }
        # Single file means single file: only the executable (and symbol files, which are not shipped).
        $extras = @(Get-ChildItem -LiteralPath $stage -Recurse -File |
            Where-Object { $_.Extension -notin @('.pdb', '.dbg') -and $_.Name -ne $exe -and $_.FullName -notmatch '\.dSYM' } | ForEach-Object { $_.Name })
        $stageExe = Join-Path $stage $exe
        if ($extras.Count -gt 0 -or -not (Test-Path -LiteralPath $stageExe)) {
            [Console]::Error.WriteLine("publish: FAIL ${r}: $name is not a single file (extra: $($extras -join ' '); $exe present: $(Test-Path -LiteralPath $stageExe))")
            $failed++
            $summary.Add("FAIL $r $name (not a single file)")
            $state = 'failed'
            continue
        }
        $target = Join-Path $out $exe
        Copy-Item -Force -LiteralPath $stageExe -Destination $target
        $bytes = (Get-Item -LiteralPath $target).Length
        $line = '{0}  {1,-20} {2,10} bytes  {3}  artifacts/{0}/{4}' -f $r, $exe, $bytes, (Format-MB $bytes), $exe
        if ($name -eq 'edge' -and $bytes -gt $limit) {
            [Console]::Error.WriteLine("publish: FAIL ${r}: $exe is $bytes bytes, over the limit of $limit")
            $failed++
            $summary.Add("FAIL $line (over $limit)")
            $state = 'failed'
            continue
        }
        $version = ''
        if ($r -eq $thisHost -and $name -eq 'edge') {
            try {
                $ErrorActionPreference = 'Continue'
                $version = (& $target --version 2>$null | Out-String).Trim()
            }
            catch {
                $version = ''
            }
            finally {
                $ErrorActionPreference = 'Stop'
            }
        }
        if ($version) {
            Write-Output "publish: ${r}: $exe $(Format-MB $bytes) (version $version)"
        }
        else {
            Write-Output "publish: ${r}: $exe $(Format-MB $bytes)"
        }
        $summary.Add("ok   $line")
    }
    if ($state -eq 'ok') {
        $published++
        Write-Output "publish: ${r}: done in $([int]$watch.Elapsed.TotalSeconds) s"
    }
}

Write-Output 'publish: summary'
foreach ($line in $summary) {
    Write-Output "  $line"
}
if ($failed -gt 0) {
    exit 1
}
if ($published -eq 0) {
    [Console]::Error.WriteLine('publish: nothing was published: no requested runtime pack is available here')
    exit 3
}
exit 0
