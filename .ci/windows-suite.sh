#!/usr/bin/env bash
# The Windows end-to-end suite: the win-x64 executables (artifacts/win-x64, from `./publish.sh win-x64`)
# run under Wine against the Linux reference server on 127.0.0.1, as a Windows user would run them.
#
#   sync      initial sync of a Z:\ workspace (a Linux folder) and a C:\ one (inside the Wine prefix),
#             compared with git's view (`git -c core.ignorecase=true ls-files`): nested .gitignore,
#             *.BAK matched case-insensitively, non-ASCII and emoji names, CRLF, Latin-1, a binary and
#             an over-limit file (skipped and counted)
#   live      create, modify, editor-style replace, delete, rename of files and folders (from Linux and
#             from cmd.exe), a burst of 500 files (nothing re-sent: the server's `received` counters)
#   commands  the named-pipe local commands: status (text, --json), pause, resume, resync, add, remove,
#             their exit codes, and "no agent" (exit 5)
#   restart   stop, offline changes, start again: converges, only the changed files are sent
#   auth      a wrong API key: exit 3, the key never printed
#   tray      filesync-tray.exe under Xvfb: a windowless program (GUI subsystem), its icon in Wine's
#             notification area, its menu (Quit tray) and a clean exit
#   install   installer\windows\install.ps1 install/uninstall and run-agent.ps1's restart rules under a
#             PowerShell 7 host built from Microsoft.PowerShell.SDK (tests/FileSync.PowerShellHost)
#   wine      each known Wine limitation, once, with the evidence that it is Wine's (shown with Wine's own
#             programs or plain .NET in the PowerShell host, not with ours)
#
# Every check prints one PASS, FAIL or SKIP line (SKIP always says why; in CI, CI=true, a missing
# prerequisite is a FAIL); the last line is "windows-suite: N passed, N failed, N skipped". Exit code 1
# when a check failed. Every wait polls a condition under a named deadline.
#
# Environment:
#   FILESYNC_WINDOWS_ARTIFACTS  folder with filesync-edge.exe and filesync-tray.exe (default artifacts/win-x64)
#   FILESYNC_PWSH_HOST_DIR      the published PowerShell host (default artifacts/_build/pwsh/out)
#   FILESYNC_WINEPREFIX         the Wine prefix to use (made when missing; default: a new one in the run's
#                               temp folder, removed at the end)
#   FILESYNC_SERVER_BIN         the Linux reference server (default artifacts/linux-x64/filesync-server,
#                               else the build output src/FileSync.Server/bin/*/net10.0/filesync-server.dll)
set -uo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS

# Named deadlines (seconds).
start_deadline=60   # a process under Wine starts and connects (the first start in a prefix is the slowest)
sync_deadline=60    # a change or a whole workspace reaches the mirror
quiet_deadline=3    # "nothing arrives" while paused
exit_deadline=30    # a process exits after it was told to

passed=0
failed=0
skipped=0
failures=()
limitations=()
child_pids=()

tmp=$(mktemp -d "${TMPDIR:-/tmp}/filesync-win.XXXXXX")
artifacts=${FILESYNC_WINDOWS_ARTIFACTS:-$root/artifacts/win-x64}
edge=$artifacts/filesync-edge.exe
tray=$artifacts/filesync-tray.exe
pwsh_dir=${FILESYNC_PWSH_HOST_DIR:-$root/artifacts/_build/pwsh/out}
own_prefix=0
if [[ -n "${FILESYNC_WINEPREFIX:-}" ]]; then
  export WINEPREFIX=$FILESYNC_WINEPREFIX
else
  export WINEPREFIX=$tmp/wineprefix
  own_prefix=1
fi
# Headless and quiet: no debug channels, no Mono/Gecko install prompts, 64-bit only.
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
unset FILESYNC_SERVER FILESYNC_API_KEY FILESYNC_CONFIG FILESYNC_STATE_DIR

say() { echo "windows-suite: $*"; }
pass() {
  passed=$((passed + 1))
  echo "PASS  $1"
}
fail() {
  failed=$((failed + 1))
  failures+=("$1: $2")
  echo "FAIL  $1: $2"
}
skip() {
  if [[ "${CI:-}" == true ]]; then
    fail "$1" "cannot run here ($2); CI must run it"
  else
    skipped=$((skipped + 1))
    echo "SKIP  $1: $2"
  fi
}
# limitation <what> <evidence>: a Wine limitation, listed once with the evidence that it is Wine's.
limitation() {
  limitations+=("$1 — evidence: $2")
  echo "WINE  $1 — evidence: $2"
}

# A Linux path as Wine sees it through the Z: drive.
winpath() { printf 'Z:%s' "${1//\//\\}"; }

cleanup() {
  local pid
  for pid in "${child_pids[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  if command -v wineserver >/dev/null 2>&1 && [[ -d "$WINEPREFIX" ]]; then
    wineserver -k 2>/dev/null || true
    wineserver -w 2>/dev/null || true
  fi
  [[ -n "${xvfb_pid:-}" ]] && kill "$xvfb_pid" 2>/dev/null
  if [[ $failed -gt 0 ]]; then
    local log
    for log in "$tmp"/*.log "$tmp"/*.out; do
      [[ -s "$log" ]] || continue
      echo "----- ${log#"$tmp"/} (last 15 lines)"
      tail -n 15 "$log"
    done
  fi
  if [[ $own_prefix == 1 ]]; then
    rm -rf "$tmp"
  else
    rm -rf "${tmp:?}"/[!w]* 2>/dev/null
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# until_true <deadline> <command...>: polls the command every 0.1 s; false after the deadline.
until_true() {
  local deadline=$1
  shift
  local until=$((SECONDS + deadline))
  while ! "$@" >/dev/null 2>&1; do
    [[ $SECONDS -lt $until ]] || return 1
    sleep 0.1
  done
}

# start_child <name> <env-assignments...> -- <command...>: in the background, stdout in $tmp/<name>.out,
# stderr in $tmp/<name>.log, exit code in $tmp/<name>.rc; child_pid is the command's own pid.
start_child() {
  local name=$1
  shift
  local envs=()
  while [[ $1 != -- ]]; do
    envs+=("$1")
    shift
  done
  shift
  rm -f "$tmp/$name.rc" "$tmp/$name.pid"
  (
    env "${envs[@]}" "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" </dev/null &
    echo $! >"$tmp/$name.pid"
    rc=0
    wait $! || rc=$?
    echo "$rc" >"$tmp/$name.rc"
  ) &
  child_pids+=($!)
  disown $!
  until_true 10 test -s "$tmp/$name.pid"
  child_pid=$(cat "$tmp/$name.pid")
  child_pids+=("$child_pid")
}
has_exited() { [[ -s "$tmp/$1.rc" ]]; }
exit_code() { cat "$tmp/$1.rc" 2>/dev/null; }

http_get() {
  local port=$1 path=$2
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 5 "http://127.0.0.1:$port$path"
  else
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
    sed '1,/^\r$/d' <&3
    exec 3<&-
  fi
}

# received <workspace name> <counter>: the server's count of that message kind for the workspace.
received() {
  http_get "$port" /api/status | tr -d '\n ' | grep -o "\"name\":\"$1\"[^]]*" | head -n 1 |
    grep -o "\"received\":{[^}]*}" | grep -o "\"$2\":[0-9]*" | cut -d: -f2
}

# start_server <name> [args...]: the Linux reference server on a free port; sets server_port.
start_server() {
  local name=$1
  shift
  start_child "$name" -- "${server_cmd[@]}" --port 0 "$@"
  server_port=""
  local until=$((SECONDS + start_deadline))
  while [[ -z "$server_port" ]]; do
    has_exited "$name" && return 1
    [[ $SECONDS -lt $until ]] || return 1
    sleep 0.1
    server_port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*$|\1|p' "$tmp/$name.out" | head -n 1)
  done
}

# The files git keeps of a workspace (core.ignorecase, as on Windows), as NUL-separated paths.
git_view() {
  git -C "$1" -c core.ignorecase=true -c core.quotepath=false ls-files --others --cached --exclude-standard -z
}

# expect_tree <workspace> <expected dir> [excluded path...]: copies git's view of the workspace, less the
# named paths (those the agent must skip: binary, over the size limit), into the expected folder.
expect_tree() {
  local ws=$1 out=$2 path
  shift 2
  rm -rf "$out"
  mkdir -p "$out"
  while IFS= read -r -d '' path; do
    local excluded=0 skip_path
    for skip_path in "$@"; do
      [[ "$path" == "$skip_path" ]] && excluded=1
    done
    [[ $excluded == 1 ]] && continue
    mkdir -p "$out/$(dirname "$path")"
    cp -p "$ws/$path" "$out/$path"
  done < <(git_view "$ws")
}

mirror_equals() { diff -r "$1" "$2" >"$tmp/diff.out" 2>&1; }

# converges <check name> <workspace> <mirror dir> [excluded...]: the mirror equals git's view, or FAIL.
converges() {
  local name=$1 ws=$2 mirror_dir=$3
  shift 3
  expect_tree "$ws" "$tmp/expected" "$@"
  local began=$SECONDS
  if until_true "$sync_deadline" mirror_equals "$tmp/expected" "$mirror_dir"; then
    pass "$name ($((SECONDS - began)) s)"
  else
    fail "$name" "the mirror did not equal git's view within ${sync_deadline} s: $(head -c 600 "$tmp/diff.out" | tr '\n' ';')"
    return 1
  fi
}

# edge_cmd <config> <args...>: a local command of the Windows agent; its output in $tmp/cmd.out, exit code returned.
edge_cmd() {
  local config=$1
  shift
  wine "$edge" "$@" --config "$config" >"$tmp/cmd.out" 2>&1 </dev/null
}

# ---------------------------------------------------------------------------------------------------
say "Wine prefix $WINEPREFIX; artifacts $artifacts"
if ! command -v wine >/dev/null 2>&1; then
  skip "windows suite" "wine is not installed (Debian: apt-get install wine wine64 libwine fonts-wine)"
  echo "windows-suite: $passed passed, $failed failed, $skipped skipped"
  [[ $failed -eq 0 ]]
  exit
fi
if [[ ! -f "$edge" ]]; then
  skip "windows suite" "no $edge: run ./publish.sh --only edge win-x64 first"
  echo "windows-suite: $passed passed, $failed failed, $skipped skipped"
  [[ $failed -eq 0 ]]
  exit
fi
if [[ -n "${FILESYNC_SERVER_BIN:-}" ]]; then
  server_cmd=("$FILESYNC_SERVER_BIN")
elif [[ -x "$root/artifacts/linux-x64/filesync-server" ]]; then
  server_cmd=("$root/artifacts/linux-x64/filesync-server")
else
  server_dll=$(ls "$root"/src/FileSync.Server/bin/*/net10.0/filesync-server.dll 2>/dev/null | head -n 1)
  if [[ -z "$server_dll" ]]; then
    fail "windows suite" "no Linux reference server: build the solution or ./publish.sh --only server linux-x64"
    echo "windows-suite: $passed passed, $failed failed, $skipped skipped"
    exit 1
  fi
  server_cmd=(dotnet "$server_dll")
fi
wine --version

# An X display for the tray (and for Wine's windows): a private Xvfb.
xvfb_pid=""
if command -v Xvfb >/dev/null 2>&1; then
  Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
  xvfb_pid=$!
  if until_true 10 test -s "$tmp/display"; then
    export DISPLAY=":$(cat "$tmp/display")"
  else
    xvfb_pid=""
  fi
fi
[[ -n "$xvfb_pid" ]] || unset DISPLAY

# One Wine prefix for the whole run, with a persistent wineserver (each process starts faster).
prefix_started=$SECONDS
mkdir -p "$WINEPREFIX"
# Wine's own background processes (wineserver, services, explorer) inherit the stdio of the process that
# starts them: give them files, never a pipe that a command substitution would then wait on forever.
wineserver -p </dev/null >"$tmp/wineserver.log" 2>&1
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  wineboot -i </dev/null >"$tmp/wineboot.log" 2>&1 || { fail "wine prefix" "wineboot -i failed: $(tail -n 3 "$tmp/wineboot.log")"; exit 1; }
else
  wineboot </dev/null >"$tmp/wineboot.log" 2>&1
fi
say "wine prefix ready in $((SECONDS - prefix_started)) s"
wine "$edge" --version </dev/null >"$tmp/version.out" 2>&1
version=$(cat "$tmp/version.out")
if [[ "$version" == 0.* || "$version" == [1-9]* ]]; then
  pass "filesync-edge.exe --version under Wine: $version"
else
  fail "filesync-edge.exe --version" "printed '$version'"
fi


# --- sync: the Linux reference server, a Z:\ and a C:\ workspace -----------------------------------
mirror=$tmp/mirror
mkdir -p "$mirror" "$tmp/ws" "$tmp/state"
if ! start_server server --mirror "$mirror"; then
  fail "reference server" "did not start: $(tail -n 5 "$tmp/server.log")"
  exit 1
fi
port=$server_port
url="ws://127.0.0.1:$port/ws/v1/edge"
say "Linux reference server on 127.0.0.1:$port"

# make_workspace <dir>: the shapes that differ between Windows and Linux, and git's view as the oracle.
make_workspace() {
  local ws=$1
  mkdir -p "$ws"/{src/lib/deep,docs,pkg,logs,Build,data,"naïve"}
  git -C "$ws" init -q
  printf '*.bak\nlogs/\n/build/\n*.tmp\n' >"$ws/.gitignore"
  printf '!keep.tmp\nprivate.txt\n' >"$ws/src/.gitignore"
  printf 'int main(void) { return 0; }\r\n' >"$ws/src/main.c"
  printf '#pragma once\n' >"$ws/src/lib/deep/util.h"
  printf 'secret\n' >"$ws/src/private.txt"
  printf 'kept by a negation\n' >"$ws/src/keep.tmp"
  printf 'dropped\n' >"$ws/src/drop.tmp"
  printf 'old\n' >"$ws/old.BAK"          # *.bak matches *.BAK only case-insensitively (core.ignorecase)
  printf 'older\n' >"$ws/docs/notes.Bak"
  printf 'log\n' >"$ws/logs/app.txt"
  printf 'build output\n' >"$ws/Build/out.txt" # /build/ matches Build/ case-insensitively
  printf 'line one\r\nline two\r\n' >"$ws/docs/crlf.txt"
  printf 'caf\xe9 latin-1\n' >"$ws/docs/latin1.txt"
  printf 'naïve\n' >"$ws/naïve/café.txt"
  printf '日本語\n' >"$ws/docs/日本語.txt"
  printf 'emoji\n' >"$ws/docs/rocket-🚀.md"
  printf 'bin\0ary' >"$ws/data/blob.bin"
  head -c 150000 /dev/zero | tr '\0' 'x' >"$ws/data/over-limit.txt"
  head -c 100000 /dev/zero | tr '\0' 'y' >"$ws/data/under-limit.txt"
  printf 'a\n' >"$ws/pkg/a.txt"
  printf 'b\n' >"$ws/pkg/b.txt"
  printf 'rename me\n' >"$ws/rename-me.txt"
  printf 'delete me\n' >"$ws/docs/old.txt"
  printf '# readme\n' >"$ws/README.md"
}
skipped_by_agent=(data/blob.bin data/over-limit.txt)

zws=$tmp/ws/zproj
cws_linux=$WINEPREFIX/drive_c/ws/cproj
cws='C:\ws\cproj'
make_workspace "$zws"
make_workspace "$cws_linux"
config=$(winpath "$tmp/agent-config.json")
state=$(winpath "$tmp/state")

start_agent() { # start_agent <name> [args...]: the Windows agent on both workspaces.
  local name=$1
  shift
  start_child "$name" FILESYNC_STATE_DIR="$state" -- wine "$edge" "$(winpath "$zws")" "$cws" --server "$url" --config "$config" "$@"
  agent_pid=$child_pid
}
start_agent agent
converges "sync: Z:\\ workspace equals git's view (core.ignorecase; *.BAK, nested .gitignore, names, CRLF, Latin-1)" \
  "$zws" "$mirror/zproj" "${skipped_by_agent[@]}"
converges "sync: C:\\ workspace (inside the Wine prefix) equals git's view" "$cws_linux" "$mirror/cproj" "${skipped_by_agent[@]}"
if until_true "$sync_deadline" edge_cmd "$config" status --json && grep -q '"reason":"binary"' "$tmp/cmd.out" &&
  grep -q '"reason":"too_large"' "$tmp/cmd.out"; then
  pass "sync: the binary and the over-limit file are skipped and named in status"
else
  fail "sync: skipped files" "status --json does not name data/blob.bin (binary) and data/over-limit.txt (too_large): $(head -c 400 "$tmp/cmd.out")"
fi
#@@END
echo
if [[ ${#limitations[@]} -gt 0 ]]; then
  say "Wine limitations (Wine's, not the product's; each shown above with its evidence):"
  for line in "${limitations[@]}"; do echo "  - $line"; done
fi
if [[ $failed -gt 0 ]]; then
  say "failed checks:"
  for line in "${failures[@]}"; do echo "  - $line"; done
fi
say "done in $((SECONDS - started)) s"
echo "windows-suite: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
