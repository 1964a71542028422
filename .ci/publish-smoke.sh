#!/usr/bin/env bash
# Published-binary smoke test: catches what `dotnet test` cannot see, i.e. Native AOT, trimming or single-file
# breakage in the shipped executables, and checks the Linux installer on a throwaway HOME.
#
#   1. ./publish.sh linux-x64 (agent, tray and reference server: Native AOT here, AOT/trim warnings
#      are errors, agent <= 12 MB, tray <= 8 MB)
#   2. --version of the published agent is <Version>+<commit of HEAD>
#   3. the published server (port 0) and agent sync a workspace (nested folders, .gitignore'd and
#      built-in-excluded files, a file just under and one over the 100 KB limit, a binary file,
#      non-UTF-8 text): the mirror must equal the expected tree (diff -r); then a modify, a create
#      and a delete must arrive too; /api/status answers; `filesync-edge status` (text and --json)
#      shows the agent connected and in sync, a second agent with the same config exits 4, and the
#      published tray on a private dbus-daemon shows the item in sync (dbus-send reads its IconName)
#   4. SIGTERM stops the agent with exit code 0
#   5. a wrong API key makes the agent exit 3 within 10 s, and the key is not in its output
#   6. installer/linux/install.sh on a throwaway HOME: without systemd (prints how to start by
#      hand), the installed config drives the installed agent, the unit passes systemd-analyze
#      verify (when the tool exists), with a stand-in systemctl (enable + restart), the tray and
#      its XDG autostart entry (desktop session forced; none without one), uninstall keeps the
#      config and removes the tray and its entry, --purge removes it; installer/macos/install.sh likewise with a stand-in launchctl
#
# Every wait polls a condition under a named deadline. Processes are cleaned up on any exit.
# Prints one final line: "publish-smoke: PASS (N s)" or "publish-smoke: FAIL: <reason>".
#
# Environment: FILESYNC_SMOKE_NO_PUBLISH=1 reuses artifacts/linux-x64 (for iterating on this script);
# FILESYNC_BUILD_LOCK is passed on to publish.sh.
set -euo pipefail
set -E

cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS
rid=linux-x64
edge=$root/artifacts/$rid/filesync-edge
server=$root/artifacts/$rid/filesync-server
tray=$root/artifacts/$rid/filesync-tray

# Named deadlines (seconds).
server_start_deadline=30
sync_deadline=60
sigterm_deadline=20
auth_reject_deadline=10

tmp=$(mktemp -d "${TMPDIR:-/tmp}/filesync-smoke.XXXXXX")
child_pids=()
failure=""

step() { echo "publish-smoke: $*"; }

fail() {
  failure=$*
  exit 1
}

show_logs() {
  local log
  for log in "$tmp"/*.log; do
    [[ -s "$log" ]] || continue
    echo "----- ${log#"$tmp"/} (last 25 lines)"
    tail -n 25 "$log"
  done
}

cleanup() {
  local rc=$? pid waited
  trap - EXIT ERR
  for pid in "${child_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${child_pids[@]}"; do
    waited=0
    while kill -0 "$pid" 2>/dev/null && [[ $waited -lt 50 ]]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ $rc -ne 0 ]]; then
    [[ -n "$failure" ]] || failure="unexpected error (exit code $rc)"
    show_logs
  fi
  rm -rf "$tmp"
  if [[ $rc -eq 0 ]]; then
    echo "publish-smoke: PASS ($((SECONDS - started)) s)"
  else
    echo "publish-smoke: FAIL: $failure"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'failure="command failed at line $LINENO: $BASH_COMMAND"' ERR
trap 'failure="interrupted"; exit 130' INT TERM

# wait_until <deadline-seconds> <what> <command...>: polls the command every 0.1 s.
wait_until() {
  local deadline=$1 what=$2
  shift 2
  local until=$((SECONDS + deadline))
  while ! "$@" >/dev/null 2>&1; do
    if [[ $SECONDS -ge $until ]]; then
      echo "publish-smoke: last check: $*" >&2
      "$@" 2>&1 | head -n 20 >&2 || true
      fail "timed out after ${deadline} s waiting for $what"
    fi
    sleep 0.1
  done
}

# start_child <name> <env-assignments...> -- <command...>: runs it in the background with stdout in
# $tmp/<name>.out and stderr in $tmp/<name>.log; its exit code lands in $tmp/<name>.rc. Sets
# child_pid to the command's own pid (not a wrapper's), so signals reach the process under test.
start_child() {
  local name=$1
  shift
  local envs=()
  while [[ $1 != -- ]]; do
    envs+=("$1")
    shift
  done
  shift
  (
    env "${envs[@]}" "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
    echo $! >"$tmp/$name.pid"
    rc=0
    wait $! || rc=$?
    echo "$rc" >"$tmp/$name.rc"
  ) &
  child_pids+=($!)
  wait_until 5 "$name to start" test -s "$tmp/$name.pid"
  child_pid=$(cat "$tmp/$name.pid")
  child_pids+=("$child_pid")
}

has_exited() { [[ -s "$tmp/$1.rc" ]]; }
exit_code() { cat "$tmp/$1.rc"; }

listening_port() {
  sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*$|\1|p' "$tmp/$1.out" | head -n 1
}

# start_server <name> [args...]: starts the published server on a free port; sets server_port.
start_server() {
  local name=$1
  shift
  start_child "$name" -- "$server" --port 0 "$@"
  local until=$((SECONDS + server_start_deadline))
  server_port=""
  while [[ -z "$server_port" ]]; do
    if has_exited "$name"; then
      fail "$name exited with code $(exit_code "$name") before listening"
    fi
    if [[ $SECONDS -ge $until ]]; then
      fail "timed out after ${server_start_deadline} s waiting for $name to print its address"
    fi
    sleep 0.1
    server_port=$(listening_port "$name")
  done
}

mirror_equals() { diff -r "$1" "$2"; }

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

# --- 1. publish ---
if [[ "${FILESYNC_SMOKE_NO_PUBLISH:-}" == 1 ]]; then
  step "using the existing artifacts/$rid (FILESYNC_SMOKE_NO_PUBLISH=1)"
else
  step "publishing $rid"
  ./publish.sh "$rid" || fail "./publish.sh $rid failed (exit code $?)"
fi
[[ -x "$edge" && -x "$server" && -x "$tray" ]] || fail "artifacts/$rid does not hold the agent, the tray and the server"
publish_seconds=$((SECONDS - started))

# --- 2. version ---
version_expected=$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' Directory.Build.props | head -n 1)
version=$("$edge" --version) || fail "filesync-edge --version exited with code $?"
if commit=$(git rev-parse HEAD 2>/dev/null); then
  [[ "$version" == "$version_expected+$commit" ]] ||
    fail "filesync-edge --version printed '$version', expected '$version_expected+$commit'"
else
  [[ "$version" == "$version_expected"* ]] ||
    fail "filesync-edge --version printed '$version', expected it to start with '$version_expected'"
fi
step "version $version"

# --- 3. sync through the published server ---
workspace=$tmp/work/smoke-proj
expected=$tmp/expected
mirror=$tmp/mirror
mkdir -p "$workspace" "$expected" "$mirror" "$tmp/state"

add_file() { # add_file <relative path> <content> <synced: yes|no>
  mkdir -p "$(dirname "$workspace/$1")"
  printf '%s' "$2" >"$workspace/$1"
  if [[ $3 == yes ]]; then
    mkdir -p "$(dirname "$expected/$1")"
    cp "$workspace/$1" "$expected/$1"
  fi
}
add_file .gitignore $'*.log\nbuild/\n' yes
add_file README.md $'# smoke\n' yes
add_file src/main.c $'int main(void) { return 0; }\n' yes
add_file src/lib/deep/util.h $'#pragma once\n' yes
add_file app.log $'ignored by .gitignore\n' no
add_file build/out.txt $'ignored folder\n' no
add_file node_modules/pkg/index.js $'built-in exclude\n' no
add_file data/almost-100k.txt "$(head -c 100000 /dev/zero | tr '\0' 'a')" yes
add_file data/over-100k.txt "$(head -c 150000 /dev/zero | tr '\0' 'b')" no
printf 'bin\0ary' >"$workspace/data/blob.bin" # a NUL byte: binary, skipped
printf 'caf\xe9 latin-1\n' >"$workspace/latin1.txt" # not UTF-8: sent base64, must arrive byte-equal
cp "$workspace/latin1.txt" "$expected/latin1.txt"

start_server server --mirror "$mirror"
port=$server_port
step "server listening on 127.0.0.1:$port"

start_child agent FILESYNC_STATE_DIR="$tmp/state" -- \
  "$edge" "$workspace" --server "ws://127.0.0.1:$port/ws/v1/edge" --config "$tmp/no-config.json"
agent_pid=$child_pid
sync_started=$SECONDS
wait_until "$sync_deadline" "the mirror to equal the workspace (initial sync)" \
  mirror_equals "$expected" "$mirror/smoke-proj"
step "initial sync complete in $((SECONDS - sync_started)) s"

printf 'int main(void) { return 1; }\n' >"$workspace/src/main.c"
cp "$workspace/src/main.c" "$expected/src/main.c"
printf 'new\n' >"$workspace/src/lib/new.txt"
cp "$workspace/src/lib/new.txt" "$expected/src/lib/new.txt"
rm "$workspace/README.md" "$expected/README.md"
sync_started=$SECONDS
wait_until "$sync_deadline" "the mirror to take a modify, a create and a delete" \
  mirror_equals "$expected" "$mirror/smoke-proj"
step "live changes synced in $((SECONDS - sync_started)) s"

status=$(http_get "$port" /api/status) || fail "GET /api/status failed"
[[ "$status" == *'"edges":[{'* && "$status" == *'"done":true'* ]] ||
  fail "GET /api/status did not show a connected edge and a done workspace: $status"

# The published CLI commands reach the published agent through its local endpoint.
agent_status_clean() { "$edge" status --config "$tmp/no-config.json" >"$tmp/status.out" 2>&1; }
wait_until "$sync_deadline" "filesync-edge status to exit 0 (connected and clean)" agent_status_clean
grep -q "Connection:  connected to ws://127.0.0.1:$port/ws/v1/edge" "$tmp/status.out" ||
  fail "filesync-edge status did not show the connection: $(cat "$tmp/status.out")"
"$edge" status --json --config "$tmp/no-config.json" | grep -q '"state":"watching"' ||
  fail "filesync-edge status --json did not show the workspace watching"
second_rc=0
"$edge" "$workspace" --server "ws://127.0.0.1:$port/ws/v1/edge" --config "$tmp/no-config.json" \
  >"$tmp/second.out" 2>&1 || second_rc=$?
[[ $second_rc == 4 ]] || fail "a second agent with the same config exited $second_rc, expected 4: $(cat "$tmp/second.out")"
step "filesync-edge status: connected and clean; a second agent exits 4"

# The published tray on a private session bus serves its StatusNotifierItem with the agent's state.
if command -v dbus-daemon >/dev/null 2>&1 && command -v dbus-send >/dev/null 2>&1; then
  cat >"$tmp/bus.conf" <<EOF_BUS
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=$tmp/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
EOF_BUS
  start_child dbus -- dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile
  bus_address="unix:path=$tmp/bus"
  wait_until 10 "the session bus socket" test -S "$tmp/bus"
  start_child tray DBUS_SESSION_BUS_ADDRESS="$bus_address" -- "$tray" --config "$tmp/no-config.json" --no-start --interval-ms 200
  tray_pid=$child_pid
  tray_icon_is() {
    DBUS_SESSION_BUS_ADDRESS="$bus_address" dbus-send --session --print-reply \
      --dest="org.kde.StatusNotifierItem-$tray_pid-1" /StatusNotifierItem org.freedesktop.DBus.Properties.Get \
      string:org.kde.StatusNotifierItem string:IconName | grep -q "\"$1\""
  }
  wait_until "$sync_deadline" "the published tray's item to show the agent in sync" tray_icon_is emblem-default
  kill -TERM "$tray_pid"
  wait_until "$sigterm_deadline" "the tray to exit after SIGTERM" has_exited tray
  [[ "$(exit_code tray)" == 0 ]] || fail "the tray exited with code $(exit_code tray) after SIGTERM"
  step "published tray: StatusNotifierItem on a session bus shows emblem-default (in sync)"
else
  [[ -z "${CI:-}" ]] || fail "dbus-daemon and dbus-send are needed (apt-get install dbus)"
  step "dbus-daemon not found: tray smoke skipped"
fi

# --- 4. SIGTERM ---
has_exited agent && fail "the agent exited early with code $(exit_code agent)"
kill -TERM "$agent_pid"
wait_until "$sigterm_deadline" "the agent to exit after SIGTERM" has_exited agent
[[ "$(exit_code agent)" == 0 ]] || fail "the agent exited with code $(exit_code agent) after SIGTERM, expected 0"
step "SIGTERM: exit code 0"

# --- 5. wrong API key ---
start_server keyed-server --mirror "$tmp/keyed-mirror" --api-key right-key-for-smoke
wrong_key=wrong-key-7c1e9a
auth_started=$SECONDS
start_child keyed-agent FILESYNC_STATE_DIR="$tmp/state" -- \
  "$edge" "$workspace" --server "ws://127.0.0.1:$server_port/ws/v1/edge" --api-key "$wrong_key" \
  --config "$tmp/no-config.json"
wait_until "$auth_reject_deadline" "the agent to exit on a rejected API key" has_exited keyed-agent
[[ "$(exit_code keyed-agent)" == 3 ]] || fail "wrong API key: exit code $(exit_code keyed-agent), expected 3"
if grep -q "$wrong_key" "$tmp/keyed-agent.out" "$tmp/keyed-agent.log"; then
  fail "the agent printed the API key"
fi
step "wrong API key: exit code 3 after $((SECONDS - auth_started)) s"

# --- 6. installers on a throwaway HOME ---
home=$tmp/home
mkdir -p "$home"
install_env=(env -u XDG_CONFIG_HOME -u XDG_STATE_HOME -u XDG_DATA_HOME "HOME=$home")
installed=$home/.local/bin/filesync-edge
installed_tray=$home/.local/bin/filesync-tray
autostart=$home/.config/autostart/filesync-tray.desktop
config=$home/.config/filesync-edge/config.json
unit=$home/.config/systemd/user/filesync-edge.service
mode() { stat -c %a "$1"; }

workspace2=$tmp/work/smoke-installed
mkdir -p "$workspace2/sub"
printf 'installed agent\n' >"$workspace2/sub/file.txt"

"${install_env[@]}" FILESYNC_INSTALL_DESKTOP=1 SYSTEMCTL="$tmp/no-systemctl" installer/linux/install.sh --binary "$edge" \
  --server "ws://127.0.0.1:$port/ws/v1/edge" --api-key-file <(echo "smoke-key") \
  --workspace "$workspace2" >"$tmp/install.out" 2>&1 || { cat "$tmp/install.out"; fail "install.sh failed"; }
[[ -x "$installed" ]] || fail "install.sh did not install $installed"
[[ "$("$installed" --version)" == "$version" ]] || fail "the installed binary is not the published one"
[[ "$(mode "$config")" == 600 ]] || fail "config mode is $(mode "$config"), expected 600"
[[ "$(mode "$(dirname "$config")")" == 700 ]] || fail "config folder mode is not 700"
grep -q '"ApiKey": "smoke-key"' "$config" || fail "the config does not hold the API key"
grep -q "start the agent by hand" "$tmp/install.out" || fail "install.sh without systemd did not say how to start by hand"
[[ -f "$unit" ]] || fail "install.sh did not install $unit"
[[ -x "$installed_tray" ]] || fail "install.sh did not install the tray at $installed_tray"
# Without systemd the tray is the one that starts the agent at login: no --no-start.
grep -qxF "Exec=\"$installed_tray\" --config \"$config\"" "$autostart" ||
  fail "the autostart entry does not start the installed tray with the config: $(cat "$autostart" 2>&1)"
grep -qx "Type=Application" "$autostart" || fail "the autostart entry is not a desktop application entry"
if command -v systemd-analyze >/dev/null 2>&1; then
  HOME=$home systemd-analyze verify "$unit" >"$tmp/verify.log" 2>&1 ||
    fail "systemd-analyze verify failed on the installed unit: $(cat "$tmp/verify.log")"
  step "installed unit passes systemd-analyze verify"
else
  step "systemd-analyze not found: unit verification skipped"
fi

# The installed config, as the unit would run it, drives the installed agent.
start_child installed-agent "HOME=$home" FILESYNC_STATE_DIR="$tmp/state" -- "$installed" --config "$config"
wait_until "$sync_deadline" "the installed agent to sync its configured workspace" \
  mirror_equals "$workspace2" "$mirror/smoke-installed"
kill -TERM "$child_pid"
wait_until "$sigterm_deadline" "the installed agent to exit after SIGTERM" has_exited installed-agent
[[ "$(exit_code installed-agent)" == 0 ]] || fail "the installed agent exited with code $(exit_code installed-agent)"
step "install.sh: binary, config (0600), unit, tray and autostart entry installed; the installed config syncs"

# With a (stand-in) systemd user manager, install enables and restarts the unit.
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$tmp/systemctl.calls" >"$tmp/fake-systemctl"
chmod +x "$tmp/fake-systemctl"
"${install_env[@]}" FILESYNC_INSTALL_DESKTOP=0 SYSTEMCTL="$tmp/fake-systemctl" installer/linux/install.sh >"$tmp/install2.out" 2>&1 ||
  { cat "$tmp/install2.out"; fail "re-install with systemd failed"; }
if ! grep -qx -- "--user enable filesync-edge.service" "$tmp/systemctl.calls" ||
  ! grep -qx -- "--user restart filesync-edge.service" "$tmp/systemctl.calls"; then
  fail "install.sh did not enable and restart the unit: $(cat "$tmp/systemctl.calls")"
fi
grep -q "kept the existing" "$tmp/install2.out" || fail "re-install without flags did not keep the config"
[[ ! -e "$autostart" ]] || fail "without a desktop session the tray's autostart entry should be gone"
grep -q "no desktop session detected" "$tmp/install2.out" || fail "install.sh did not say that no desktop session was found"
"${install_env[@]}" FILESYNC_INSTALL_DESKTOP=1 SYSTEMCTL="$tmp/fake-systemctl" installer/linux/install.sh >"$tmp/install3.out" 2>&1 ||
  { cat "$tmp/install3.out"; fail "re-install with a desktop session failed"; }
[[ -f "$autostart" ]] || fail "re-install with a desktop session did not write the autostart entry"
# With the systemd service running the agent, the tray only shows it (two supervisors would race).
grep -qxF "Exec=\"$installed_tray\" --config \"$config\" --no-start" "$autostart" ||
  fail "with the systemd service the autostart entry should pass --no-start: $(cat "$autostart" 2>&1)"

"${install_env[@]}" SYSTEMCTL="$tmp/fake-systemctl" installer/linux/install.sh --uninstall >"$tmp/uninstall.out" 2>&1 ||
  { cat "$tmp/uninstall.out"; fail "install.sh --uninstall failed"; }
grep -qx -- "--user disable --now filesync-edge.service" "$tmp/systemctl.calls" || fail "uninstall did not disable the unit"
[[ ! -e "$installed" && ! -e "$unit" && ! -e "$installed_tray" && ! -e "$autostart" ]] ||
  fail "uninstall left the binary, the unit, the tray or its autostart entry behind"
[[ -f "$config" ]] || fail "uninstall removed the config (it should keep it without --purge)"
"${install_env[@]}" SYSTEMCTL="$tmp/no-systemctl" installer/linux/install.sh --uninstall --purge >"$tmp/purge.out" 2>&1 ||
  { cat "$tmp/purge.out"; fail "install.sh --uninstall --purge failed"; }
leftovers=$(find "$home" -type f | sed "s|^$home/||" | paste -sd' ' -)
[[ -z "$leftovers" ]] || fail "uninstall --purge left files behind: $leftovers"
step "install.sh: uninstall keeps the config, --purge removes everything"

# macOS installer, on this OS with a stand-in launchctl: files, modes, plist paths, uninstall.
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$tmp/launchctl.calls" >"$tmp/fake-launchctl"
chmod +x "$tmp/fake-launchctl"
mac_config="$home/Library/Application Support/filesync-edge/config.json"
mac_plist=$home/Library/LaunchAgents/com.filesync.edge.plist
"${install_env[@]}" FILESYNC_INSTALL_ANY_OS=1 LAUNCHCTL="$tmp/fake-launchctl" installer/macos/install.sh \
  --binary "$edge" --server "ws://127.0.0.1:$port/ws/v1/edge" --workspace "$workspace2" >"$tmp/mac-install.out" 2>&1 ||
  { cat "$tmp/mac-install.out"; fail "macos/install.sh failed"; }
[[ "$(mode "$mac_config")" == 600 ]] || fail "macOS config mode is not 600"
grep -q "<string>$installed</string>" "$mac_plist" || fail "the plist does not run $installed"
grep -q "bootstrap gui/$(id -u) $mac_plist" "$tmp/launchctl.calls" || fail "macos/install.sh did not bootstrap the agent"
"${install_env[@]}" FILESYNC_INSTALL_ANY_OS=1 LAUNCHCTL="$tmp/fake-launchctl" installer/macos/install.sh \
  --uninstall --purge >"$tmp/mac-uninstall.out" 2>&1 || { cat "$tmp/mac-uninstall.out"; fail "macos/install.sh --uninstall failed"; }
leftovers=$(find "$home" -type f | sed "s|^$home/||" | paste -sd' ' -)
[[ -z "$leftovers" ]] || fail "macOS uninstall --purge left files behind: $leftovers"
step "macos/install.sh (stand-in launchctl): installs and purges cleanly"

step "published in ${publish_seconds} s; agent $(wc -c <"$edge" | tr -d ' ') bytes, server $(wc -c <"$server" | tr -d ' ') bytes"
