# Shows, with plain .NET under Wine (no FileSync code), the Wine limitations the Windows suite lists.
# Run by .ci/windows-suite.sh in the PowerShell host; one "evidence: <name>: <what happened>" line each.
param([Parameter(Mandatory)] [string] $Scratch)
$ErrorActionPreference = 'Stop'

# 1. FILE_FLAG_FIRST_PIPE_INSTANCE: Windows refuses a second server instance of a pipe created with it.
$first = [System.IO.Pipes.NamedPipeServerStream]::new('filesync-wine-evidence', 'InOut', 4, 'Byte', 'FirstPipeInstance')
try {
    $second = [System.IO.Pipes.NamedPipeServerStream]::new('filesync-wine-evidence', 'InOut', 4, 'Byte', 'FirstPipeInstance')
    Write-Output 'evidence: first-pipe-instance: ignored: a second server instance with FirstPipeInstance was created (Windows refuses it: access denied)'
    $second.Dispose()
}
catch {
    Write-Output "evidence: first-pipe-instance: honoured: $($_.Exception.Message)"
}

# 2. Listing \\.\pipe\ (what Windows tools and .NET's Directory.GetFiles do to see whether a pipe exists).
try {
    $pipes = [System.IO.Directory]::GetFiles('\\.\pipe\')
    Write-Output "evidence: pipe-listing: works: $($pipes.Count) pipes, ours listed: $([bool]($pipes -match 'filesync-wine-evidence'))"
}
catch {
    Write-Output "evidence: pipe-listing: fails: Directory.GetFiles('\\.\pipe\') threw $($_.Exception.InnerException.GetType().Name): $($_.Exception.InnerException.Message)"
}
$first.Dispose()

# 3. ReadDirectoryChangesW after a folder rename: which name a change inside the renamed folder is reported under.
$root = Join-Path $Scratch 'watched'
New-Item -ItemType Directory -Force -Path (Join-Path $root 'before') | Out-Null
Set-Content -LiteralPath (Join-Path $root 'before\file.txt') -Value 'one'
$watcher = [System.IO.FileSystemWatcher]::new($root)
$watcher.IncludeSubdirectories = $true
$watcher.NotifyFilter = 'FileName, DirectoryName, LastWrite, Size'
foreach ($kind in 'Changed', 'Created', 'Deleted', 'Renamed') {
    Register-ObjectEvent -InputObject $watcher -EventName $kind -SourceIdentifier "fsw$kind" | Out-Null
}
$watcher.EnableRaisingEvents = $true
Rename-Item -LiteralPath (Join-Path $root 'before') -NewName 'after'
Wait-Event -SourceIdentifier fswRenamed -Timeout 5 | Out-Null
Set-Content -LiteralPath (Join-Path $root 'after\file.txt') -Value 'two, longer'
Wait-Event -SourceIdentifier fswChanged -Timeout 5 | Out-Null
$seen = @(Get-Event | ForEach-Object {
        $e = $_.SourceEventArgs
        if ($e -is [System.IO.RenamedEventArgs]) { "$($e.ChangeType) $($e.OldName) -> $($e.Name)" } else { "$($e.ChangeType) $($e.Name)" }
    }) -join '; '
$wrong = @(Get-Event -SourceIdentifier fswChanged -ErrorAction SilentlyContinue | Where-Object { $_.SourceEventArgs.Name -like 'before*' }).Count -gt 0
Write-Output "evidence: folder-rename: $(if ($wrong) { 'old name' } else { 'new name' }): FileSystemWatcher events for 'rename before -> after, then write after\file.txt': $seen"
$watcher.Dispose()
