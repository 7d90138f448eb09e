# shellcheck shell=bash
# Shared settings and helpers for tools/engine. Sourced, never run.
# Every path, port and binary can be overridden from the environment, so tests
# and CI runners can keep several independent setups on one machine.

ENGINE_HOME=${IMAGEWISE_ENGINE_HOME:-/var/lib/imagewise-engine}
# Unix sockets live here: their paths must stay short (108 bytes at most).
RUN_ROOT=${IMAGEWISE_ENGINE_RUN:-/run/imagewise}
REGISTRY_PORT=${IMAGEWISE_REGISTRY_PORT:-5000}
MIRROR_PORT=${IMAGEWISE_MIRROR_PORT:-5001}
# Seconds to wait for a daemon to answer before giving up.
READY_TIMEOUT=${IMAGEWISE_ENGINE_TIMEOUT:-60}

DOCKERD=${IMAGEWISE_DOCKERD:-/usr/sbin/dockerd}
DOCKER=${IMAGEWISE_DOCKER:-/usr/bin/docker}
REGISTRY_BIN=${IMAGEWISE_REGISTRY_BIN:-/usr/bin/docker-registry}
DEBOOTSTRAP=${IMAGEWISE_DEBOOTSTRAP:-/usr/sbin/debootstrap}
APT_GET=${IMAGEWISE_APT_GET:-apt-get}

ENV_FILE="$ENGINE_HOME/env"

say() { echo "engine: $*" >&2; }

# One clear line, then (optionally) the last lines of a log, then exit 1.
die() {
  local msg=$1 log=${2:-}
  echo "engine: error: $msg" >&2
  if [[ -n "$log" && -s "$log" ]]; then
    echo "engine: last lines of $log:" >&2
    tail -n 15 "$log" | sed 's/^/  | /' >&2
  elif [[ -n "$log" ]]; then
    echo "engine: $log is empty" >&2
  fi
  exit 1
}

# True when PID is a live process: `kill -0` is not enough, it reports a zombie alive.
running() {
  local pid=$1 state
  [[ -n "$pid" && -r "/proc/$pid/stat" ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ "$state" != Z && "$state" != X && -n "$state" ]]
}

# True when PID (read from a pidfile, so possibly reused since) is a live
# process whose command line contains NAME.
alive() {
  local pid=$1 name=$2
  running "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$name"
}

read_pid() { [[ -s "$1" ]] && cat "$1" || true; }

# Sends TERM, waits up to SECONDS, then KILL. Only for PIDs this tool started.
end_process() {
  local pid=$1 name=$2 seconds=${3:-15} i
  alive "$pid" "$name" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < seconds * 10; i++)); do
    alive "$pid" "$name" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" "$name" || return 0
    sleep 0.1
  done
  say "warning: $name (pid $pid) did not exit"
}

# Who listens on a TCP port, as "pid N (command)", or nothing when it is free.
port_owner() {
  local port=$1 line
  line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1)
  [[ -n "$line" ]] || return 0
  if [[ "$line" =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
    echo "pid ${BASH_REMATCH[2]} (${BASH_REMATCH[1]})"
  else
    echo "another process"
  fi
}

# Waits until CHECK (a command) succeeds, while PID, a child this shell has just
# started, keeps running. Its command line is not asked: for a moment after `&`
# the child is still this shell's fork, not yet the daemon it will exec (seen on
# a fresh CI machine), and an unreaped child's PID cannot be reused.
wait_ready() {
  local what=$1 pid=$2 log=$3
  shift 3
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    running "$pid" || die "$what exited during start-up" "$log"
    ((SECONDS < deadline)) || die "$what did not answer within ${READY_TIMEOUT}s (IMAGEWISE_ENGINE_TIMEOUT)" "$log"
    sleep 0.2
  done
}
