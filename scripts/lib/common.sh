# Sourced by the scripts in scripts/ (not run): one way of logging, and the start-up and shutdown
# of Azurite and the local host that scripts/demo and scripts/dashboard share.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Logging: `log` writes "<script>: message" to stderr (stdout stays for what a script produces).
#
# The local host: `local_host_start URL TASK_HUB [serve options...]` installs Azurite if needed,
# builds the CLI, starts Azurite and `neuralart serve` on URL with a fresh key, and waits until the
# host answers /health and has printed its dashboard link. It sets NEURALART_CLI, LOCAL_HOST_KEY,
# LOCAL_HOST_LINK, LOCAL_HOST_PID and LOCAL_HOST_LOG, makes Ctrl+C an exit, and traps EXIT to
# `local_host_stop`, which stops
# the host (politely, then after 10 s for good) and Azurite, and deletes the log.

NEURALART_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NEURALART_SCRIPT="$(basename "$0")"

log() { printf '%s: %s\n' "$NEURALART_SCRIPT" "$*" >&2; }

# `install_missing PROGRAM:PACKAGE ...` installs the Debian package of each program not on the PATH
# (as root, with apt-get), so that one command sets up a fresh machine; elsewhere it says what to
# install. Programs come from Debian's builds and are never downloaded by the code at run time.
install_missing() {
  local pair packages=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || packages+=("${pair#*:}")
  done
  [ ${#packages[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${packages[*]} (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  else
    log "warning: ${packages[*]} missing (apt-get install ${packages[*]}); what needs them will fail"
  fi
}

LOCAL_HOST_PID=""
LOCAL_HOST_LOG=""

# How long the host may take to answer /health and print its link (a cold build of the graphs
# on a busy 2-core machine), and to stop before it is killed.
LOCAL_HOST_START_SECONDS=120
LOCAL_HOST_STOP_SECONDS=10

local_host_start() {
  local url="$1" hub="$2"
  shift 2
  cd "$NEURALART_ROOT"

  if [ ! -x node_modules/.bin/azurite ]; then
    log "installing Azurite (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi

  log "building the CLI"
  dotnet build functions/NeuralArt.Cli -c Release --verbosity quiet -nologo
  NEURALART_CLI="$NEURALART_ROOT/functions/NeuralArt.Cli/bin/Release/net10.0/neuralart"

  LOCAL_HOST_LOG="$(mktemp "${TMPDIR:-/tmp}/neuralart-serve.XXXXXX")"
  trap local_host_stop EXIT
  trap 'exit 130' INT TERM

  log "starting Azurite"
  # shellcheck source=../azurite-start
  source "$NEURALART_ROOT/scripts/azurite-start"

  LOCAL_HOST_KEY="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  log "starting the local host on $url"
  "$NEURALART_CLI" serve --url "$url" --key "$LOCAL_HOST_KEY" --task-hub "$hub" \
    --storage "$AZURITE_CONNECTION_STRING" "$@" >"$LOCAL_HOST_LOG" 2>&1 &
  LOCAL_HOST_PID=$!

  local deadline=$((SECONDS + LOCAL_HOST_START_SECONDS))
  until curl -fsS "$url/health" >/dev/null 2>&1 && grep -q '^Dashboard: ' "$LOCAL_HOST_LOG"; do
    if ! kill -0 "$LOCAL_HOST_PID" 2>/dev/null; then
      log "neuralart serve exited:"
      cat "$LOCAL_HOST_LOG" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "neuralart serve did not answer on $url within ${LOCAL_HOST_START_SECONDS} s:"
      tail -n 20 "$LOCAL_HOST_LOG" >&2
      exit 1
    fi
    sleep 0.2
  done
  LOCAL_HOST_LINK="$(grep -m1 '^Dashboard: ' "$LOCAL_HOST_LOG" | sed 's/^Dashboard: //')"
}

local_host_stop() {
  if [ -n "$LOCAL_HOST_PID" ]; then
    kill "$LOCAL_HOST_PID" 2>/dev/null || true
    # Ctrl+C reaches Azurite too, and a host whose storage is gone can take long to shut down cleanly.
    local deadline=$((SECONDS + LOCAL_HOST_STOP_SECONDS))
    while kill -0 "$LOCAL_HOST_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    kill -9 "$LOCAL_HOST_PID" 2>/dev/null || true
    wait "$LOCAL_HOST_PID" 2>/dev/null || true
    LOCAL_HOST_PID=""
  fi
  "$NEURALART_ROOT/scripts/azurite-stop" >/dev/null 2>&1 || true
  if [ -n "$LOCAL_HOST_LOG" ]; then rm -f "$LOCAL_HOST_LOG"; fi
}
