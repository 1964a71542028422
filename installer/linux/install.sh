#!/usr/bin/env bash
# Installs the FileSync.Edge agent for the current user on Linux, as a systemd user service.
#
# usage: install.sh --server <ws-url> [--api-key <key> | --api-key-file <file>]
#                   [--workspace <dir>]... [<dir>...] [--binary <path>] [--no-start]
#                   [--tray-binary <path> | --no-tray]
#        install.sh                      (re-install the binary, keep the existing config)
#        install.sh --uninstall [--purge]
#
# What it does:
#   binary  ~/.local/bin/filesync-edge
#   config  $XDG_CONFIG_HOME/filesync-edge/config.json (default ~/.config/...), mode 0600 in a
#           0700 folder, since it holds the API key. Written when --server, --api-key(-file) or a
#           workspace is given (then --server and at least one workspace are required); otherwise
#           an existing config is kept as it is.
#   unit    $XDG_CONFIG_HOME/systemd/user/filesync-edge.service, enabled and (re)started when the
#           systemd user manager is reachable (`systemctl --user`); otherwise the script prints how
#           to start the agent by hand and still succeeds.
#   logs    the user journal: journalctl --user -u filesync-edge
#   tray    ~/.local/bin/filesync-tray (the notification-area icon), and, when a desktop session is
#           detected (XDG_CURRENT_DESKTOP, DESKTOP_SESSION, WAYLAND_DISPLAY or DISPLAY set; or
#           FILESYNC_INSTALL_DESKTOP=1, and =0 never), the XDG autostart entry
#           $XDG_CONFIG_HOME/autostart/filesync-tray.desktop that starts it at login (with --no-start when
#           the systemd user service runs the agent, so the tray only shows it). The tray binary is
#           --tray-binary, else filesync-tray next to the agent's binary or this script, else in
#           artifacts/<rid>/; without one (or with --no-tray) no tray is installed.
#
# --uninstall stops and disables the unit and removes the unit, the binaries and the autostart entry. It keeps the config
# (server URL, API key, workspaces) so a later install picks it up again; --purge also removes the
# config folder and the agent's state folder ($XDG_STATE_HOME/filesync-edge, default
# ~/.local/state/filesync-edge). It never asks, so it can run unattended.
#
# The binary is --binary, else filesync-edge next to this script, else
# artifacts/<rid>/filesync-edge of the repository (./publish.sh output).
#
# Proxy and CA variables set when it runs (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, their
# lowercase forms, SSL_CERT_FILE, SSL_CERT_DIR) are written into the unit as Environment= lines: the
# service does not inherit this shell's environment.
#
# Environment: HOME, XDG_CONFIG_HOME and XDG_STATE_HOME are honoured (so it can be tried on a
# throwaway HOME); SYSTEMCTL names the systemctl command (default: systemctl).
#
# Exit codes: 0 done, 1 failure, 2 bad arguments.
set -euo pipefail

name=filesync-edge
unit_name=filesync-edge.service
script_dir=$(cd "$(dirname "$0")" && pwd)
systemctl_cmd=${SYSTEMCTL:-systemctl}

# shellcheck source=SCRIPTDIR/../common.sh
. "$script_dir/../common.sh"

[[ -n "${HOME:-}" && "$HOME" == /* ]] || die "HOME must be set to an absolute path"
# XDG base directories must be absolute to count (the spec, and .NET, ignore relative ones).
config_home=$HOME/.config
[[ "${XDG_CONFIG_HOME:-}" == /* ]] && config_home=$XDG_CONFIG_HOME
state_home=$HOME/.local/state
[[ "${XDG_STATE_HOME:-}" == /* ]] && state_home=$XDG_STATE_HOME

bin_dir=$HOME/.local/bin
bin_path=$bin_dir/$name
config_dir=$config_home/$name
config_path=$config_dir/config.json
unit_dir=$config_home/systemd/user
unit_path=$unit_dir/$unit_name
state_dir=$state_home/$name
tray_path=$bin_dir/filesync-tray
autostart_path=$config_home/autostart/filesync-tray.desktop

parse_args "$@"

systemd_available() {
  command -v "$systemctl_cmd" >/dev/null 2>&1 && "$systemctl_cmd" --user show-environment >/dev/null 2>&1
}

if $uninstall; then
  if systemd_available; then
    "$systemctl_cmd" --user disable --now "$unit_name" >/dev/null 2>&1 || true
  fi
  removed=()
  remove_files "$unit_path" "$bin_path" "$tray_path" "$autostart_path"
  if systemd_available; then
    "$systemctl_cmd" --user daemon-reload || true
  fi
  if $purge; then
    remove_trees "$config_dir" "$state_dir"
  fi
  report_uninstall
  exit 0
fi

# --- install ---

host_rid() {
  case "$(uname -m)" in
    x86_64 | amd64) echo linux-x64 ;;
    aarch64 | arm64) echo linux-arm64 ;;
    *) echo "linux-$(uname -m)" ;;
  esac
}

find_binary
version=$("$binary" --version 2>/dev/null) || die "'$binary' does not run on this machine (is it the $(host_rid) build?)"

prepare_config

# Binary: copy next to the target and rename over it, so a running agent keeps its old file.
mkdir -p "$bin_dir"
cp "$binary" "$bin_path.new.$$"
chmod 755 "$bin_path.new.$$"
mv -f "$bin_path.new.$$" "$bin_path"
echo "install: installed $bin_path ($version)"

install_config

# Unit: the shipped unit with this installation's absolute paths in ExecStart.
unit_quote() {
  local value=$1
  [[ "$value" != *'"'* && "$value" != *\\* ]] || die "path '$value' contains a quote or backslash; systemd cannot use it as is"
  value=${value//%/%%}
  value=${value//\$/\$\$}
  printf '"%s"' "$value"
}
template=$script_dir/$unit_name
[[ -f "$template" ]] || die "unit template $template is missing"
mkdir -p "$unit_dir"
exec_start="ExecStart=$(unit_quote "$bin_path") --config $(unit_quote "$config_path")"
carried_environment >/dev/null # refuses a value it cannot carry, before anything is written
# One Environment= line per carried variable: quoted, with systemd's specifier (%) and C escapes.
environment_lines() {
  local entry
  while IFS= read -r entry; do
    entry=${entry//\\/\\\\}
    entry=${entry//\"/\\\"}
    entry=${entry//%/%%}
    printf 'Environment="%s"\n' "$entry"
  done < <(carried_environment)
}
while IFS= read -r line || [[ -n "$line" ]]; do
  if [[ "$line" == ExecStart=* ]]; then
    environment_lines
    printf '%s\n' "$exec_start"
  else
    printf '%s\n' "$line"
  fi
done <"$template" >"$unit_path.new.$$"
chmod 644 "$unit_path.new.$$"
mv -f "$unit_path.new.$$" "$unit_path"
echo "install: installed $unit_path"
if [[ -n "$(carried_names)" ]]; then
  echo "install: the service gets this shell's $(carried_names) (Environment= in $unit_path; install again to update)"
fi

manual_start="$bin_path --config $config_path"
if ! $start; then
  echo "install: not started (--no-start). Start it with: $systemctl_cmd --user enable --now $unit_name"
  echo "install: or without systemd: $manual_start"
elif systemd_available; then
  "$systemctl_cmd" --user daemon-reload
  "$systemctl_cmd" --user enable "$unit_name" >/dev/null 2>&1 || die "systemctl --user enable $unit_name failed"
  "$systemctl_cmd" --user restart "$unit_name" || die "systemctl --user restart $unit_name failed; see: journalctl --user -u filesync-edge"
  echo "install: enabled and started $unit_name; logs: journalctl --user -u filesync-edge -f"
  echo "install: to keep it running while you are logged out: loginctl enable-linger $(id -un)"
else
  echo "install: the systemd user manager is not reachable here ($systemctl_cmd --user failed), so nothing was started."
  echo "install: start the agent by hand (logs on stderr): $manual_start"
  echo "install: or, in a session with systemd: systemctl --user daemon-reload && systemctl --user enable --now $unit_name"
fi

# --- tray ---

desktop_session() {
  case "${FILESYNC_INSTALL_DESKTOP:-}" in
    1) return 0 ;;
    0) return 1 ;;
  esac
  [[ -n "${XDG_CURRENT_DESKTOP:-}${DESKTOP_SESSION:-}${WAYLAND_DISPLAY:-}${DISPLAY:-}" ]]
}

# A value for the Exec key of a .desktop file: quoted, with the characters the spec reserves refused.
desktop_quote() {
  local value=$1
  [[ "$value" != *[\"\`\$\\]* ]] || die "path '$value' contains a quote, backquote, dollar or backslash; the autostart entry cannot use it"
  value=${value//%/%%}
  printf '"%s"' "$value"
}

if ! $no_tray && [[ -z "$tray_binary" ]]; then
  for candidate in "$(dirname "$binary")/filesync-tray" "$script_dir/filesync-tray" "$script_dir/../../artifacts/$(host_rid)/filesync-tray"; do
    if [[ -f "$candidate" ]]; then
      tray_binary=$candidate
      break
    fi
  done
fi
if $no_tray || [[ -z "$tray_binary" ]]; then
  remove_files "$autostart_path"
  if $no_tray; then
    echo "install: no tray icon (--no-tray)"
  else
    echo "install: no tray icon: no filesync-tray binary next to $binary (pass --tray-binary <path>)"
  fi
else
  [[ -f "$tray_binary" ]] || die "--tray-binary '$tray_binary' is not a file"
  cp "$tray_binary" "$tray_path.new.$$"
  chmod 755 "$tray_path.new.$$"
  mv -f "$tray_path.new.$$" "$tray_path"
  echo "install: installed $tray_path"
  if desktop_session; then
    # With the systemd user service keeping the agent running, the tray only shows it: a tray that started
    # an agent of its own at login would race the service's (which then exits 4 and is not restarted).
    tray_no_start=""
    if systemd_available; then
      tray_no_start=" --no-start"
    fi
    mkdir -p "$(dirname "$autostart_path")"
    {
      printf '[Desktop Entry]\n'
      printf 'Type=Application\n'
      printf 'Name=FileSync tray\n'
      printf 'Comment=Shows the FileSync agent in the notification area\n'
      printf 'Exec=%s --config %s%s\n' "$(desktop_quote "$tray_path")" "$(desktop_quote "$config_path")" "$tray_no_start"
      printf 'Icon=folder-remote\n'
      printf 'Terminal=false\n'
      printf 'NoDisplay=true\n'
      printf 'X-GNOME-Autostart-enabled=true\n'
    } >"$autostart_path.new.$$"
    chmod 644 "$autostart_path.new.$$"
    mv -f "$autostart_path.new.$$" "$autostart_path"
    echo "install: installed $autostart_path: the tray starts at your next login (now: $tray_path --config $config_path$tray_no_start &)"
  else
    remove_files "$autostart_path"
    echo "install: no desktop session detected: the tray is not started at login (FILESYNC_INSTALL_DESKTOP=1 forces the autostart entry)"
  fi
fi

path_note
