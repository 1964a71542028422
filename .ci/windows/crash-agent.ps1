# Ends the installed agent the way a crash does: TerminateProcess with a non-zero exit code
# (Process.Kill: -1). Under Wine a SIGKILL, or Wine's own taskkill /f, ends a process with exit code 0,
# which run-agent.ps1 rightly treats as a clean stop.
param([Parameter(Mandatory)] [string] $Path)
$agents = @(Get-Process -Name 'filesync-edge' -ErrorAction SilentlyContinue | Where-Object { $_.Path -ieq $Path })
foreach ($agent in $agents) { $agent.Kill() }
Write-Output "crash-agent: killed $($agents.Count)"
