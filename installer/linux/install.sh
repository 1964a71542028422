#!/usr/bin/env bash
# Installs the FileSync.Edge agent for the current user on Linux, as a systemd user service.
#
# usage: install.sh --server <ws-url> [--api-key <key> | --api-key-file <file>]
#                   [--workspace <dir>]... [<dir>...] [--binary <path>] [--no-start]
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
#
# --uninstall stops and disables the unit and removes the unit and the binary. It keeps the config
# (server URL, API key, workspaces) so a later install picks it up again; --purge also removes the
# config folder and the agent's state folder ($XDG_STATE_HOME/filesync-edge, default
# ~/.local/state/filesync-edge). It never asks, so it can run unattended.
#
# The binary is --binary, else filesync-edge next to this script, else
# artifacts/<rid>/filesync-edge of the repository (./publish.sh output).
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

systemd_available() {
  command -v "$systemctl_cmd" >/dev/null 2>&1 && "$systemctl_cmd" --user show-environment >/dev/null 2>&1
}

if $uninstall; then
  if systemd_available; then
    "$systemctl_cmd" --user disable --now "$unit_name" >/dev/null 2>&1 || true
  fi
  removed=()
  for path in "$unit_path" "$bin_path"; do
    if [[ -e "$path" || -L "$path" ]]; then
      rm -f "$path"
      removed+=("$path")
    fi
  done
  if systemd_available; then
    "$systemctl_cmd" --user daemon-reload || true
  fi
  if $purge; then
    for path in "$config_dir" "$state_dir"; do
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
    x86_64 | amd64) echo linux-x64 ;;
    aarch64 | arm64) echo linux-arm64 ;;
    *) echo "linux-$(uname -m)" ;;
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
version=$("$binary" --version 2>/dev/null) || die "'$binary' does not run on this machine (is it the $(host_rid) build?)"

write_config=false
if [[ -n "$server" || $api_key_given == true || ${#workspaces[@]} -gt 0 ]]; then
  write_config=true
  [[ -n "$server" ]] || usage_error "--server is required when writing the config"
  [[ "$server" == ws://* || "$server" == wss://* ]] || usage_error "--server must be a ws:// or wss:// URL, not '$server'"
  [[ ${#workspaces[@]} -gt 0 ]] || usage_error "give at least one workspace folder (--workspace <dir>)"
elif [[ ! -f "$config_path" ]]; then
  usage_error "no config at $config_path yet: give --server <ws-url> and at least one --workspace <dir>"
fi

# JSON string body: escapes backslash and double quote; refuses control characters.
json_string() {
  local value=$1
  if [[ "$value" =~ [[:cntrl:]] ]]; then
    die "a value contains a control character: cannot write it to the config"
  fi
  value=${value//\\/\\\\}
  value=${value//\"/\\\"}
  printf '"%s"' "$value"
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
mv -f "$bin_path.new.$$" "$bin_path"
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
while IFS= read -r line || [[ -n "$line" ]]; do
  if [[ "$line" == ExecStart=* ]]; then
    printf '%s\n' "$exec_start"
  else
    printf '%s\n' "$line"
  fi
done <"$template" >"$unit_path.new.$$"
chmod 644 "$unit_path.new.$$"
mv -f "$unit_path.new.$$" "$unit_path"
echo "install: installed $unit_path"

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

case ":${PATH:-}:" in
  *":$bin_dir:"*) ;;
  *) echo "install: note: $bin_dir is not on your PATH" ;;
esac
