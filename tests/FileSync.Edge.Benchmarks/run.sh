#!/usr/bin/env bash
# Benchmarks of issues #7 and #8, side by side with rsync and lsyncd.
#
#   tests/FileSync.Edge.Benchmarks/run.sh            full run (about 14 minutes on 2 cores), writes
#                                                    results/<UTC date>.md and .latencies.csv beside it
#   tests/FileSync.Edge.Benchmarks/run.sh --quick    small run for development (about 2 minutes), no results file
#
#   tests/FileSync.Edge.Benchmarks/run.sh --index-only --hash-only --out <file>
#                                                    in-process measures only (persisted index, content hash;
#                                                    about 2 minutes): builds the harness alone, no results
#                                                    file unless --out
#
# Any other argument goes to the harness (see `--help`). Builds the agent, the server and the harness in
# Release, publishes the agent as it ships (publish.sh), installs rsync and lsyncd from Debian packages when they are missing (root only; otherwise
# their columns stay empty with a note), then runs the harness. Builds and the run itself hold the shared
# build lock (FILESYNC_BUILD_LOCK, default /tmp/filesync-build.lock) so that no other build competes for
# the CPU while figures are taken. `flock -o` keeps the lock's file descriptor out of the processes the
# harness starts: a leaked child must never hold the lock.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
lock="${FILESYNC_BUILD_LOCK:-/tmp/filesync-build.lock}"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

locked() {
  if command -v flock >/dev/null 2>&1; then
    flock -o "$lock" "$@"
  else
    "$@"
  fi
}

in_process=0
for arg in "$@"; do
  case "$arg" in
    --index-only | --hash-only) in_process=1 ;;
  esac
done
if [ "$in_process" = 1 ]; then
  echo "run.sh: building the harness (Release)" >&2
  locked dotnet build "$here/FileSync.Edge.Benchmarks.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  # No tiered compilation: every method is compiled fully optimized at its first call, as Native AOT
  # compiles the agent ahead of time; otherwise managed code (XxHash128) would be timed partly at tier 0
  # while SHA-256 (native, OpenSSL) never is.
  DOTNET_TieredCompilation=0 locked dotnet "$here/bin/Release/net10.0/FileSync.Edge.Benchmarks.dll" "$@"
  exit 0
fi

if ! command -v rsync >/dev/null 2>&1 || ! command -v lsyncd >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run.sh: installing rsync and lsyncd from Debian packages" >&2
    # APT::Sandbox::User=root: apt's unprivileged sandbox user fails where /dev/null is not world-writable.
    if ! { apt-get -o APT::Sandbox::User=root update -qq \
        && apt-get -o APT::Sandbox::User=root install -y -qq rsync lsyncd; } >&2; then
      echo "run.sh: could not install rsync/lsyncd; the peers that are missing are skipped" >&2
    fi
  else
    echo "run.sh: rsync or lsyncd is missing and cannot be installed here (needs root and apt-get); skipping the missing peers" >&2
  fi
fi

echo "run.sh: building (Release)" >&2
locked bash -c '
  set -e
  for project in "$0/src/FileSync.Edge/FileSync.Edge.csproj" "$0/src/FileSync.Server/FileSync.Server.csproj" "$1/FileSync.Edge.Benchmarks.csproj"; do
    dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly
  done
' "$repo" "$here" >&2

args=("$@")
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick | --wire-only) quick=1 ;;
    --out) quick=2 ;;
  esac
done
if [ "$quick" = 0 ]; then
  args+=(--out "$here/results/$(date -u +%Y-%m-%d).md")
fi

# Measure what publish.sh ships (Native AOT here; a trimmed single file where AOT cannot build), the
# agent and the reference server alike (the server is part of the measured path), or the Release
# builds when this machine cannot publish for its runtime.
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) rid="" ;;
esac
agent="$repo/src/FileSync.Edge/bin/Release/net10.0/filesync-edge"
server="$repo/src/FileSync.Server/bin/Release/net10.0/filesync-server"
if [ -n "$rid" ] && FILESYNC_BUILD_LOCK="$lock" "$repo/publish.sh" "$rid" >&2 \
    && [ -x "$repo/artifacts/$rid/filesync-edge" ] && [ -x "$repo/artifacts/$rid/filesync-server" ]; then
  agent="$repo/artifacts/$rid/filesync-edge"
  server="$repo/artifacts/$rid/filesync-server"
else
  echo "run.sh: could not publish for this machine; measuring the Release builds instead" >&2
fi

locked dotnet "$here/bin/Release/net10.0/FileSync.Edge.Benchmarks.dll" \
  --agent "$agent" \
  --server "$server" \
  "${args[@]}"
