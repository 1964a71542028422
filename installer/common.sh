# shellcheck shell=bash
# The parts of installer/linux/install.sh and installer/macos/install.sh that are the same on both:
# errors, argument parsing, the uninstall summary, finding the binary and writing the config.
# Sourced by those scripts (never run on its own); it must stay bash 3.2 compatible (macOS).
#
# The sourcing script sets name, script_dir, bin_dir, config_dir and config_path, and defines
# host_rid before it calls find_binary. The functions set the script's variables (uninstall, purge,
# start, server, api_key, api_key_given, binary, tray_binary, no_tray, workspaces, removed, write_config, server_json,
# api_key_json, workspaces_json) as globals.
# shellcheck disable=SC2034,SC2154

die() {
  echo "install: error: $*" >&2
  exit 1
}
usage_error() {
  echo "install: error: $* (see --help)" >&2
  exit 2
}
# Prints the header comment of the script that was run.
usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}

# parse_args "$@": the options and workspace folders both installers take.
parse_args() {
  uninstall=false
  purge=false
  start=true
  server=""
  api_key=""
  api_key_given=false
  binary=""
  tray_binary=""
  no_tray=false
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
      --no-tray) no_tray=true; shift ;;
      --server | --api-key | --api-key-file | --workspace | --binary | --tray-binary)
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
          --tray-binary) tray_binary=$2 ;;
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
}

# remove_files <path>...: removes each file or link that exists and records it in removed.
remove_files() {
  local path
  for path in "$@"; do
    if [[ -e "$path" || -L "$path" ]]; then
      rm -f "$path"
      removed+=("$path")
    fi
  done
}

# remove_trees <dir>...: removes each folder that exists and records it in removed.
remove_trees() {
  local path
  for path in "$@"; do
    if [[ -e "$path" ]]; then
      rm -rf "$path"
      removed+=("$path")
    fi
  done
}

# report_uninstall: says what remove_files/remove_trees removed, and whether the config was kept.
report_uninstall() {
  local path
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
}

# find_binary: without --binary, the binary next to the script or in the repository's artifacts/.
find_binary() {
  local candidate
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
}

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

# prepare_config: decides whether to write the config (any of --server, --api-key(-file) or a
# workspace given), checks the values and encodes every one of them before anything is written,
# so a bad value stops the install cleanly.
prepare_config() {
  local workspace resolved encoded
  write_config=false
  if [[ -n "$server" || $api_key_given == true || ${#workspaces[@]} -gt 0 ]]; then
    write_config=true
    [[ -n "$server" ]] || usage_error "--server is required when writing the config"
    [[ "$server" == ws://* || "$server" == wss://* ]] || usage_error "--server must be a ws:// or wss:// URL, not '$server'"
    [[ ${#workspaces[@]} -gt 0 ]] || usage_error "give at least one workspace folder (--workspace <dir>)"
  elif [[ ! -f "$config_path" ]]; then
    usage_error "no config at $config_path yet: give --server <ws-url> and at least one --workspace <dir>"
  fi

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
}

# install_config: writes the config prepared by prepare_config (mode 0600 in a 0700 folder, renamed
# into place), or keeps the existing one (and makes it 0600).
install_config() {
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
}

# path_note: says so when the binary's folder is not on PATH.
path_note() {
  case ":${PATH:-}:" in
    *":$bin_dir:"*) ;;
    *) echo "install: note: $bin_dir is not on your PATH" ;;
  esac
}

# Proxy and CA variables set (non-empty) at install time, which the service would not see otherwise:
# a systemd user service and a launchd agent do not inherit the installing shell's environment.
carried_variables=(HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy NO_PROXY no_proxy SSL_CERT_FILE SSL_CERT_DIR)

# carried_environment: prints NAME=VALUE for each carried variable that is set, one a line. A value
# with a line break is refused (neither a unit nor a plist line can hold it).
carried_environment() {
  local variable value
  for variable in "${carried_variables[@]}"; do
    value=${!variable:-}
    [[ -n "$value" ]] || continue
    [[ "$value" != *$'\n'* ]] || die "$variable holds a line break; it cannot be carried into the service"
    printf '%s=%s\n' "$variable" "$value"
  done
}

# carried_names: the names carried_environment prints, for the install summary (never the values:
# a proxy URL may hold a password).
carried_names() {
  carried_environment | sed 's/=.*//' | tr '\n' ' ' | sed 's/ $//'
}
