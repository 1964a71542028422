#!/usr/bin/env bash
# Publishes self-contained executables of the agent (filesync-edge), the tray icon (filesync-tray, for
# the Linux and Windows rids; macOS has no tray yet) and the reference server (filesync-server) into
# artifacts/<rid>/, and prints their sizes: Native AOT where this machine's
# ILCompiler can build for the rid (the host's own OS and architecture, with a C toolchain: clang or
# gcc on Linux), else a trimmed single-file executable. One line per rid says which was built.
#
# usage: ./publish.sh [--only edge|tray|server] [--configuration <cfg>] [rid...]
#
#   rid   linux-x64, linux-arm64, osx-arm64, osx-x64 or win-x64; default: all five.
#
# A rid whose runtime pack cannot be restored from the configured NuGet sources (NU1101/NU1102/NU1103
# on Microsoft.*.App.Runtime|Host.<rid>) is skipped with one "SKIP" line, and the other rids go on.
#
# Exit codes:
#   0  every requested rid was published, or skipped because its runtime pack is missing,
#      and at least one rid was published
#   1  a rid failed for another reason: restore failure of another kind (e.g. no network), build
#      error, trim/single-file analysis warning (they are errors), output that is not one file,
#      or an agent or tray larger than its size limit
#   2  bad usage
#   3  nothing was published: every requested rid was skipped for a missing runtime pack
#
# Environment:
#   FILESYNC_BUILD_LOCK     if set (and flock exists), every dotnet call runs under `flock -o <file>`
#                         (-o: build servers that outlive dotnet do not keep the lock)
#   FILESYNC_MAX_AGENT_BYTES  size limit of the agent executable (default 13000000 for Native AOT,
#                         25000000 for a trimmed single file)
#   FILESYNC_MAX_TRAY_BYTES   size limit of the tray executable (default 8000000 for Native AOT,
#                         20000000 for a trimmed single file)
#   FILESYNC_PUBLISH_MODE   aot or single-file: force one kind (default: aot where possible)
#
# Build trees live in artifacts/_build/<rid>/ (bin, obj, logs), so publishing never touches the
# bin/ and obj/ folders that `dotnet build` and `dotnet test` use.
set -euo pipefail

cd "$(dirname "$0")"
root=$(pwd)
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

all_rids=(linux-x64 linux-arm64 osx-arm64 osx-x64 win-x64)
configuration=Release
only=""
rids=()
forced_mode=${FILESYNC_PUBLISH_MODE:-}
case "$forced_mode" in
  "" | aot | single-file) ;;
  *)
    echo "publish: error: FILESYNC_PUBLISH_MODE must be 'aot' or 'single-file', not '$forced_mode'" >&2
    exit 2
    ;;
esac

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --only)
      [[ $# -ge 2 ]] || { echo "publish: error: --only needs 'edge', 'tray' or 'server'" >&2; exit 2; }
      only=$2
      shift 2
      ;;
    -c | --configuration)
      [[ $# -ge 2 ]] || { echo "publish: error: $1 needs a value" >&2; exit 2; }
      configuration=$2
      shift 2
      ;;
    -*)
      echo "publish: error: unknown option '$1' (see --help)" >&2
      exit 2
      ;;
    *)
      rids+=("$1")
      shift
      ;;
  esac
done

case "$only" in
  "") projects=(edge tray server) ;;
  edge | tray | server) projects=("$only") ;;
  *)
    echo "publish: error: --only must be 'edge', 'tray' or 'server', not '$only'" >&2
    exit 2
    ;;
esac
[[ ${#rids[@]} -gt 0 ]] || rids=("${all_rids[@]}")
for rid in "${rids[@]}"; do
  if [[ " ${all_rids[*]} " != *" $rid "* ]]; then
    echo "publish: error: unsupported runtime identifier '$rid' (supported: ${all_rids[*]})" >&2
    exit 2
  fi
done
if ! command -v dotnet >/dev/null 2>&1; then
  echo "publish: error: the .NET 10 SDK is required (dotnet not found on PATH)" >&2
  exit 1
fi

dotnet_cmd() {
  if [[ -n "${FILESYNC_BUILD_LOCK:-}" ]] && command -v flock >/dev/null 2>&1; then
    flock -o "$FILESYNC_BUILD_LOCK" dotnet "$@"
  else
    dotnet "$@"
  fi
}

project_path() {
  case "$1" in
    edge) echo "src/FileSync.Edge/FileSync.Edge.csproj" ;;
    tray) echo "src/FileSync.Tray/FileSync.Tray.csproj" ;;
    server) echo "src/FileSync.Server/FileSync.Server.csproj" ;;
  esac
}

executable_name() {
  local base
  case "$1" in
    edge) base=filesync-edge ;;
    tray) base=filesync-tray ;;
    server) base=filesync-server ;;
  esac
  if [[ "$2" == win-* ]]; then echo "$base.exe"; else echo "$base"; fi
}

format_mb() {
  awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'
}

# The host's own rid, to run the fresh binary's --version when it can run here.
host_rid() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=osx ;;
    *) os=unknown ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=unknown ;;
  esac
  echo "$os-$arch"
}

# Prints the missing runtime packs when every restore error in the log is a missing runtime pack of
# this rid; prints nothing (and returns 1) when some other error is in the log.
missing_packs() {
  local log=$1 rid=$2 errors pack_pattern others
  errors=$(grep -E ': error [A-Z]+[0-9]+:' "$log" | sed -E 's/^.*: error /error /; s/ \[[^]]*\]$//' | sort -u || true)
  [[ -n "$errors" ]] || return 1
  pack_pattern="NU110[123]: Unable to find package (Microsoft\.[A-Za-z]+\.App\.(Runtime|Host|Crossgen2)\.$rid|runtime\.$rid\.[A-Za-z.]+)"
  others=$(grep -vE "$pack_pattern" <<<"$errors" || true)
  [[ -z "$others" ]] || return 1
  grep -oE "Unable to find package [^ ]+" <<<"$errors" | awk '{ sub(/\.$/, "", $5); print $5 }' | sort -u | paste -sd, - | sed 's/,/, /g'
}

# Native AOT does not cross-compile between operating systems (nor, without a cross toolchain, between
# architectures): only the host's own rid, with a C compiler and linker at hand.
publish_mode() {
  local rid=$1
  if [[ -n "$forced_mode" ]]; then
    echo "$forced_mode"
  elif [[ $rid == "$this_host" ]] && { [[ $rid != linux-* ]] || command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1; }; then
    echo aot
  else
    echo single-file
  fi
}
published=0
skipped=0
failed=0
summary=()
this_host=$(host_rid)

for rid in "${rids[@]}"; do
  build="$root/artifacts/_build/$rid"
  out="$root/artifacts/$rid"
  mkdir -p "$build/logs"
  started=$SECONDS
  echo "publish: $rid: restoring ${projects[*]}"

  # Restore first, so a missing runtime pack is told apart from a real failure.
  rid_state=ok
  mode=$(publish_mode "$rid")
  mode_args=()
  if [[ $mode == aot ]]; then
    mode_args=(-p:PublishAot=true)
    # gcc links as well as clang; the ILCompiler asks for clang unless told.
    command -v clang >/dev/null 2>&1 || [[ $rid != linux-* ]] || mode_args+=(-p:CppCompilerAndLinker=gcc)
    max_agent_bytes=${FILESYNC_MAX_AGENT_BYTES:-13000000}
    max_tray_bytes=${FILESYNC_MAX_TRAY_BYTES:-8000000}
    echo "publish: $rid: Native AOT"
  else
    max_agent_bytes=${FILESYNC_MAX_AGENT_BYTES:-25000000}
    max_tray_bytes=${FILESYNC_MAX_TRAY_BYTES:-20000000}
    if [[ $rid == "$this_host" ]]; then
      echo "publish: $rid: trimmed single-file (no C toolchain for Native AOT here)"
    else
      echo "publish: $rid: trimmed single-file (Native AOT builds only for this machine's own OS and architecture, $this_host)"
    fi
  fi
  # The tray is for the notification areas of Linux and Windows (macOS: see the README).
  rid_projects=()
  for name in "${projects[@]}"; do
    [[ $name == tray && $rid == osx-* ]] || rid_projects+=("$name")
  done
  if [[ ${#rid_projects[@]} -eq 0 ]]; then
    echo "publish: $rid: nothing to publish (no tray for macOS)"
    summary+=("SKIP $rid (no tray for macOS)")
    skipped=$((skipped + 1))
    continue
  fi
  for name in "${rid_projects[@]}"; do
    log="$build/logs/$name-restore.log"
    if ! dotnet_cmd restore "$(project_path "$name")" -r "$rid" -p:Configuration="$configuration" \
      -p:ArtifactsPath="$build" "${mode_args[@]}" >"$log" 2>&1; then
      if packs=$(missing_packs "$log" "$rid"); then
        echo "publish: SKIP $rid: runtime pack not available from the NuGet sources ($packs)"
        rid_state=skipped
      else
        echo "publish: FAIL $rid: restore of $name failed (log: ${log#"$root"/}):" >&2
        grep -E 'error' "$log" | sed -E 's/ \[[^]]*\]$//' | sort -u | head -n 10 | sed 's/^/  /' >&2
        rid_state=failed
      fi
      break
    fi
  done
  if [[ $rid_state == skipped ]]; then
    skipped=$((skipped + 1))
    summary+=("SKIP $rid (runtime pack missing)")
    continue
  elif [[ $rid_state == failed ]]; then
    failed=$((failed + 1))
    summary+=("FAIL $rid (restore)")
    continue
  fi

  mkdir -p "$out"
  for name in "${rid_projects[@]}"; do
    log="$build/logs/$name-publish.log"
    stage="$build/publish/$name"
    exe=$(executable_name "$name" "$rid")
    rm -rf "$stage"
    echo "publish: $rid: publishing $name"
    if ! dotnet_cmd publish "$(project_path "$name")" --no-restore -r "$rid" -c "$configuration" \
      -p:ArtifactsPath="$build" -p:TreatWarningsAsErrors=true "${mode_args[@]}" -o "$stage" >"$log" 2>&1; then
      echo "publish: FAIL $rid: publishing $name failed (log: ${log#"$root"/}):" >&2
      grep -E '(error|warning) [A-Z]+[0-9]+' "$log" | sed -E 's/ \[[^]]*\]$//' | sort -u | head -n 20 | sed 's/^/  /' >&2
      failed=$((failed + 1))
      summary+=("FAIL $rid $name (build; see ${log#"$root"/})")
      rid_state=failed
      continue
    fi
    # Trim, AOT and single-file analysis warnings are errors; make sure none slipped through as warnings.
    if grep -qE 'warning (IL|NETSDK)[0-9]+' "$log"; then
      echo "publish: FAIL $rid: $name published with trim/single-file warnings (log: ${log#"$root"/}):" >&2
      grep -E 'warning (IL|NETSDK)[0-9]+' "$log" | sed -E 's/ \[[^]]*\]$//' | sort -u | head -n 20 | sed 's/^/  /' >&2
      failed=$((failed + 1))
      summary+=("FAIL $rid $name (trim warnings)")
      rid_state=failed
      continue
    fi
    # Single file means single file: only the executable (and symbol files, which are not shipped).
    extras=$(cd "$stage" && find . -type f ! -name '*.pdb' ! -name '*.dbg' ! -path '*.dSYM/*' ! -name "$exe" | sed 's|^\./||' | sort | paste -sd' ' -)
    if [[ -n "$extras" || ! -f "$stage/$exe" ]]; then
      echo "publish: FAIL $rid: $name is not a single file (extra: ${extras:-none}; $exe present: $([[ -f "$stage/$exe" ]] && echo yes || echo no))" >&2
      failed=$((failed + 1))
      summary+=("FAIL $rid $name (not a single file)")
      rid_state=failed
      continue
    fi
    # Replace atomically, so a running copy of the old binary is not disturbed.
    cp "$stage/$exe" "$out/.$exe.new"
    chmod 755 "$out/.$exe.new"
    mv -f "$out/.$exe.new" "$out/$exe"
    bytes=$(wc -c <"$out/$exe" | tr -d ' ')
    line="$rid  $(printf '%-20s' "$exe") $(printf '%10s' "$bytes") bytes  $(format_mb "$bytes")  artifacts/$rid/$exe"
    limit=0
    [[ $name == edge ]] && limit=$max_agent_bytes
    [[ $name == tray ]] && limit=$max_tray_bytes
    if [[ $limit -gt 0 && $bytes -gt $limit ]]; then
      echo "publish: FAIL $rid: $exe is $bytes bytes, over the limit of $limit" >&2
      failed=$((failed + 1))
      summary+=("FAIL $line (over $limit)")
      rid_state=failed
      continue
    fi
    version=""
    if [[ $rid == "$this_host" && $name != server ]]; then
      version=$("$out/$exe" --version 2>/dev/null || true)
    fi
    echo "publish: $rid: $exe $(format_mb "$bytes") ($mode)${version:+ (version $version)}"
    summary+=("ok   $line ($mode)")
  done
  if [[ $rid_state == ok ]]; then
    published=$((published + 1))
    echo "publish: $rid: done in $((SECONDS - started)) s"
  fi
done

echo "publish: summary"
for line in "${summary[@]}"; do
  echo "  $line"
done

if [[ $failed -gt 0 ]]; then
  exit 1
fi
if [[ $published -eq 0 ]]; then
  echo "publish: nothing was published: no requested runtime pack is available here" >&2
  exit 3
fi
exit 0
