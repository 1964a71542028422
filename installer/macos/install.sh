#!/usr/bin/env bash
# Installs the FileSync.Edge agent for the current user on macOS, as a launchd agent.
#
# usage: install.sh --server <ws-url> [--api-key <key> | --api-key-file <file>]
#                   [--workspace <dir>]... [<dir>...] [--binary <path>] [--no-start]
#        install.sh                      (re-install the binary, keep the existing config)
#        install.sh --uninstall [--purge]
#
# What it does:
#   binary  ~/.local/bin/filesync-edge (quarantine flag removed; ad-hoc signed if unsigned)
#   config  ~/Library/Application Support/filesync-edge/config.json, mode 0600 in a 0700 folder,
#           since it holds the API key. Written when --server, --api-key(-file) or a workspace is
#           given (then --server and at least one workspace are required); otherwise an existing
#           config is kept as it is.
#   agent   ~/Library/LaunchAgents/com.filesync.edge.plist, loaded into your login session
#           (launchctl bootstrap gui/<uid>): starts at login, restarted after a crash.
#   logs    ~/Library/Logs/filesync-edge/filesync-edge.log
#
# --uninstall unloads the agent and removes the plist and the binary. It keeps the config (server
# URL, API key, workspaces) so a later install picks it up again; --purge also removes the config
# folder (which holds the agent's state/ too) and the logs. It never asks.
#
# The binary is --binary, else filesync-edge next to this script, else
# artifacts/<rid>/filesync-edge of the repository (./publish.sh output).
#
# Proxy and CA variables set when it runs (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, their
# lowercase forms, SSL_CERT_FILE, SSL_CERT_DIR) go into the plist's EnvironmentVariables: a launchd
# agent does not inherit this shell's environment.
#
# Environment: HOME is honoured (so it can be tried on a throwaway HOME); LAUNCHCTL names the
# launchctl command (default: launchctl).
#
# Exit codes: 0 done, 1 failure, 2 bad arguments.
set -euo pipefail

name=filesync-edge
label=com.filesync.edge
script_dir=$(cd "$(dirname "$0")" && pwd)
launchctl_cmd=${LAUNCHCTL:-launchctl}

# shellcheck source=SCRIPTDIR/../common.sh
. "$script_dir/../common.sh"

if [[ "$(uname -s)" != Darwin && "${FILESYNC_INSTALL_ANY_OS:-}" != 1 ]]; then
  die "this is the macOS installer; on Linux use installer/linux/install.sh"
fi
[[ -n "${HOME:-}" && "$HOME" == /* ]] || die "HOME must be set to an absolute path"

bin_dir=$HOME/.local/bin
bin_path=$bin_dir/$name
config_dir="$HOME/Library/Application Support/$name"
config_path=$config_dir/config.json
agents_dir=$HOME/Library/LaunchAgents
plist_path=$agents_dir/$label.plist
log_dir=$HOME/Library/Logs/$name
log_path=$log_dir/$name.log
domain="gui/$(id -u)"

parse_args "$@"

launchd_available() {
  command -v "$launchctl_cmd" >/dev/null 2>&1 && "$launchctl_cmd" print "$domain" >/dev/null 2>&1
}

unload_agent() {
  if launchd_available; then
    "$launchctl_cmd" bootout "$domain/$label" >/dev/null 2>&1 || true
  fi
}

if $uninstall; then
  unload_agent
  removed=()
  remove_files "$plist_path" "$bin_path"
  if $purge; then
    remove_trees "$config_dir" "$log_dir"
  fi
  report_uninstall
  exit 0
fi

# --- install ---

# XML text: escapes &, < and >.
# (sed, not ${value//</&lt;}: bash 5.2 reads & in a replacement as the matched text.)
xml_text() {
  printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
}

host_rid() {
  case "$(uname -m)" in
    arm64 | aarch64) echo osx-arm64 ;;
    *) echo osx-x64 ;;
  esac
}

find_binary

prepare_config

# Binary: copy next to the target and rename over it, so a running agent keeps its old file.
mkdir -p "$bin_dir"
cp "$binary" "$bin_path.new.$$"
chmod 755 "$bin_path.new.$$"
# A downloaded file carries the quarantine flag, and Apple silicon runs only signed code.
if command -v xattr >/dev/null 2>&1; then
  xattr -d com.apple.quarantine "$bin_path.new.$$" 2>/dev/null || true
fi
if command -v codesign >/dev/null 2>&1 && ! codesign --verify "$bin_path.new.$$" 2>/dev/null; then
  codesign --force --sign - "$bin_path.new.$$" || die "could not ad-hoc sign $binary"
fi
mv -f "$bin_path.new.$$" "$bin_path"
version=$("$bin_path" --version 2>/dev/null) || die "'$binary' does not run on this machine (is it the $(host_rid) build?)"
echo "install: installed $bin_path ($version)"

install_config

# launchd agent: the shipped plist with this installation's paths.
template=$script_dir/$label.plist
[[ -f "$template" ]] || die "plist template $template is missing"
mkdir -p "$agents_dir" "$log_dir"
binary_xml=$(xml_text "$bin_path")
config_xml=$(xml_text "$config_path")
log_xml=$(xml_text "$log_path")
carried_environment >/dev/null # refuses a value it cannot carry, before anything is written
# The carried proxy and CA variables, as the agent's EnvironmentVariables.
environment_dict() {
  local entry
  [[ -n "$(carried_names)" ]] || return 0
  printf '  <key>EnvironmentVariables</key>\n  <dict>\n'
  while IFS= read -r entry; do
    printf '    <key>%s</key>\n    <string>%s</string>\n' "${entry%%=*}" "$(xml_text "${entry#*=}")"
  done < <(carried_environment)
  printf '  </dict>\n'
}
while IFS= read -r line || [[ -n "$line" ]]; do
  if [[ "$line" == *"<key>RunAtLoad</key>"* ]]; then
    environment_dict
  fi
  line=${line//@BINARY@/$binary_xml}
  line=${line//@CONFIG@/$config_xml}
  line=${line//@LOG@/$log_xml}
  printf '%s\n' "$line"
done <"$template" >"$plist_path.new.$$"
chmod 644 "$plist_path.new.$$"
if command -v plutil >/dev/null 2>&1; then
  plutil -lint "$plist_path.new.$$" >/dev/null || die "the generated plist is not valid: $plist_path.new.$$"
fi
mv -f "$plist_path.new.$$" "$plist_path"
echo "install: installed $plist_path"
if [[ -n "$(carried_names)" ]]; then
  echo "install: the agent gets this shell's $(carried_names) (EnvironmentVariables in $plist_path; install again to update)"
fi

manual_start="\"$bin_path\" --config \"$config_path\""
if ! $start; then
  echo "install: not started (--no-start). Start it with: launchctl bootstrap $domain \"$plist_path\""
elif launchd_available; then
  unload_agent
  "$launchctl_cmd" enable "$domain/$label" >/dev/null 2>&1 || true
  if "$launchctl_cmd" bootstrap "$domain" "$plist_path"; then
    echo "install: loaded $label; it runs now and at every login. Log: $log_path"
  else
    die "launchctl bootstrap $domain failed (not logged in to the desktop?). Start by hand: $manual_start"
  fi
else
  echo "install: launchd's login session ($domain) is not reachable here (e.g. over ssh), so nothing was started."
  echo "install: it starts at your next login; or start it by hand (logs on stderr): $manual_start"
fi

path_note
