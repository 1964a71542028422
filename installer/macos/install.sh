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
# Environment: HOME is honoured (so it can be tried on a throwaway HOME); LAUNCHCTL names the
# launchctl command (default: launchctl).
#
# Exit codes: 0 done, 1 failure, 2 bad arguments.
set -euo pipefail

name=filesync-edge
label=com.filesync.edge
script_dir=$(cd "$(dirname "$0")" && pwd)
launchctl_cmd=${LAUNCHCTL:-launchctl}

die() {
  echo "install: error: $*" >&2
  exit 1
}
usage_error() {
  echo "install: error: $* (see --help)" >&2
  exit 2
}
usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}

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

uninstall=false
purge=false
start=true
server=""
api_key=""
api_key_given=false
binary=""
workspaces=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --uninstall) uninstall=true; shift ;;
    --purge) purge=true; shift ;;
    --no-start) start=false; shift ;;
    --server | --api-key | --api-key-file | --workspace | --binary)
      [[ $# -ge 2 && -n "$2" ]] || usage_error "$1 needs a value"
      case "$1" in
        --server) server=$2 ;;
        --api-key) api_key=$2; api_key_given=true ;;
        --api-key-file)
          [[ -r "$2" ]] || usage_error "cannot read --api-key-file '$2'"
          api_key=$(head -n 1 "$2" | tr -d '\r' | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
          [[ -n "$api_key" ]] || usage_error "--api-key-file '$2' is empty"
          api_key_given=true
          ;;
        --workspace) workspaces+=("$2") ;;
        --binary) binary=$2 ;;
      esac
      shift 2
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *) workspaces+=("$1"); shift ;;
  esac
done

if $purge && ! $uninstall; then
  usage_error "--purge only goes with --uninstall"
fi

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
  for path in "$plist_path" "$bin_path"; do
    if [[ -e "$path" || -L "$path" ]]; then
      rm -f "$path"
      removed+=("$path")
    fi
  done
  if $purge; then
    for path in "$config_dir" "$log_dir"; do
      if [[ -e "$path" ]]; then
        rm -rf "$path"
        removed+=("$path")
      fi
    done
  fi
  if [[ ${#removed[@]} -eq 0 ]]; then
    echo "install: nothing to remove: $name is not installed for this user"
  else
    for path in "${removed[@]}"; do
      echo "install: removed $path"
    done
  fi
  if ! $purge && [[ -e "$config_path" ]]; then
    echo "install: kept $config_path (server, API key, workspaces); remove it with: $0 --uninstall --purge"
  fi
  exit 0
fi

# --- install ---

host_rid() {
  case "$(uname -m)" in
    arm64 | aarch64) echo osx-arm64 ;;
    *) echo osx-x64 ;;
  esac
}

if [[ -z "$binary" ]]; then
  for candidate in "$script_dir/$name" "$script_dir/../../artifacts/$(host_rid)/$name"; do
    if [[ -f "$candidate" ]]; then
      binary=$candidate
      break
    fi
  done
  [[ -n "$binary" ]] || die "no $name binary found next to this script or in artifacts/$(host_rid)/; run ./publish.sh $(host_rid) or pass --binary <path>"
fi
[[ -f "$binary" ]] || die "--binary '$binary' is not a file"

write_config=false
if [[ -n "$server" || $api_key_given == true || ${#workspaces[@]} -gt 0 ]]; then
  write_config=true
  [[ -n "$server" ]] || usage_error "--server is required when writing the config"
  [[ "$server" == ws://* || "$server" == wss://* ]] || usage_error "--server must be a ws:// or wss:// URL, not '$server'"
  [[ ${#workspaces[@]} -gt 0 ]] || usage_error "give at least one workspace folder (--workspace <dir>)"
elif [[ ! -f "$config_path" ]]; then
  usage_error "no config at $config_path yet: give --server <ws-url> and at least one --workspace <dir>"
fi

# JSON string: escapes backslash and double quote; refuses control characters.
json_string() {
  local value=$1
  if [[ "$value" =~ [[:cntrl:]] ]]; then
    die "a value contains a control character: cannot write it to the config"
  fi
  value=${value//\\/\\\\}
  value=${value//\"/\\\"}
  printf '"%s"' "$value"
}

# XML text: escapes &, < and >.
xml_text() {
  local value=$1
  value=${value//&/&amp;}
  value=${value//</&lt;}
  value=${value//>/&gt;}
  printf '%s' "$value"
}

# Encode every value before anything is written, so a bad value stops the install cleanly.
workspaces_json=()
if $write_config; then
  server_json=$(json_string "$server")
  api_key_json=""
  [[ -z "$api_key" ]] || api_key_json=$(json_string "$api_key")
  for workspace in "${workspaces[@]}"; do
    [[ -d "$workspace" ]] || usage_error "workspace '$workspace' is not an existing folder"
    resolved=$(cd "$workspace" && pwd -P)
    encoded=$(json_string "$resolved")
    workspaces_json+=("$encoded")
  done
fi

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

if $write_config; then
  (
    umask 077
    mkdir -p "$config_dir"
    chmod 700 "$config_dir"
    tmp=$(mktemp "$config_dir/.config.json.XXXXXX")
    {
      printf '{\n  "Uplink": {\n    "Server": %s' "$server_json"
      if [[ -n "$api_key_json" ]]; then
        printf ',\n    "ApiKey": %s' "$api_key_json"
      fi
      printf '\n  },\n  "Workspaces": ['
      separator=""
      for workspace_json in "${workspaces_json[@]}"; do
        printf '%s\n    %s' "$separator" "$workspace_json"
        separator=","
      done
      printf '\n  ]\n}\n'
    } >"$tmp"
    chmod 600 "$tmp"
    mv -f "$tmp" "$config_path"
  )
  echo "install: wrote $config_path (mode 0600)"
else
  chmod 600 "$config_path"
  echo "install: kept the existing $config_path"
fi

# launchd agent: the shipped plist with this installation's paths.
template=$script_dir/$label.plist
[[ -f "$template" ]] || die "plist template $template is missing"
mkdir -p "$agents_dir" "$log_dir"
binary_xml=$(xml_text "$bin_path")
config_xml=$(xml_text "$config_path")
log_xml=$(xml_text "$log_path")
while IFS= read -r line || [[ -n "$line" ]]; do
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

case ":${PATH:-}:" in
  *":$bin_dir:"*) ;;
  *) echo "install: note: $bin_dir is not on your PATH" ;;
esac
