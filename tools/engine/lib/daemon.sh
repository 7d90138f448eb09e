# shellcheck shell=bash
# Docker Engines (Debian's dockerd 20.10), each with its own socket, data-root,
# exec-root, pidfile, empty config file and bridge, so that several can run side
# by side with a system engine without touching it.

engine_dir() { echo "$ENGINE_HOME/engines/$1"; }
engine_run() { echo "$RUN_ROOT/$1"; }
engine_socket() { echo "$(engine_run "$1")/docker.sock"; }

docker_answers() { curl -fsS -o /dev/null --max-time 2 --unix-socket "$1" http://engine/_ping; }

# The engine to use when none of ours runs: DOCKER_HOST, then the default socket.
external_engine() {
  local host=${DOCKER_HOST:-}
  if [[ "$host" == unix://* && -S "${host#unix://}" ]] && docker_answers "${host#unix://}"; then
    echo "$host"
  elif [[ -z "$host" && -S /var/run/docker.sock ]] && docker_answers /var/run/docker.sock; then
    echo unix:///var/run/docker.sock
  fi
}

# A bridge of the engine's own: the default docker0 may belong to another engine.
# Its name (15 bytes at most) tells apart engines of the same name in other homes.
# Name and subnet are kept in the engine's directory so a restart reuses them.
create_bridge() {
  local dir=$1 name=$2 bridge cidr n
  bridge=$(printf 'iw%.4s-%.8s' "$(echo -n "$ENGINE_HOME" | md5sum)" "$name")
  if [[ -s "$dir/bridge" ]]; then
    cidr=$(cut -d' ' -f2 "$dir/bridge")
  else
    for n in $(seq 40 250); do
      ip -o -4 addr show | grep -q " 172\.30\.$n\." || { cidr="172.30.$n.1/24"; break; }
    done
    [[ -n "$cidr" ]] || die "no free 172.30.x.0/24 subnet for the bridge of engine $name"
  fi
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add name "$bridge" type bridge || die "could not create bridge $bridge (needs root and iproute2)"
    ip addr add "$cidr" dev "$bridge"
  fi
  ip link set "$bridge" up
  echo "$bridge $cidr" >"$dir/bridge"
  echo "$bridge"
}

delete_bridge() {
  local dir=$1 bridge
  [[ -s "$dir/bridge" ]] || return 0
  bridge=$(cut -d' ' -f1 "$dir/bridge")
  ip link delete "$bridge" 2>/dev/null || true
  rm -f "$dir/bridge"
}

# start_engine NAME [--fresh]: idempotent; --fresh empties the data-root first.
start_engine() {
  local name=$1 fresh=${2:-} dir run sock pidfile log pid bridge
  dir=$(engine_dir "$name")
  run=$(engine_run "$name")
  sock=$(engine_socket "$name")
  pidfile="$dir/dockerd.pid"
  log="$dir/dockerd.log"
  pid=$(read_pid "$pidfile")
  if alive "$pid" dockerd && docker_answers "$sock"; then
    [[ -z "$fresh" ]] || die "engine $name is running; stop it before starting it --fresh"
    return 0
  fi
  # A dead engine may have left containerd, shims or mounts behind.
  cleanup_engine "$name"
  [[ -z "$fresh" ]] || rm -rf "$dir/data"
  mkdir -p "$dir/data" "$run"
  echo '{}' >"$dir/daemon.json"
  bridge=$(create_bridge "$dir" "$name")

  # shellcheck disable=SC2086 # extra flags are meant to split
  setsid "$DOCKERD" \
    --host "unix://$sock" \
    --data-root "$dir/data" \
    --exec-root "$run" \
    --pidfile "$run/dockerd.pid" \
    --config-file "$dir/daemon.json" \
    --bridge "$bridge" --iptables=false --ip-masq=false \
    --registry-mirror "http://127.0.0.1:$MIRROR_PORT" \
    ${IMAGEWISE_DOCKERD_FLAGS:-} \
    </dev/null >"$log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$pidfile"
  # A daemon that fails to come up leaves nothing behind either. (Expanded now:
  # at exit time `name` would be whichever function's local is innermost.)
  # shellcheck disable=SC2064
  trap "cleanup_engine '$name'" EXIT
  wait_ready "dockerd for engine $name" "$pid" "$log" docker_answers "$sock"
  trap - EXIT
  say "engine $name answering on unix://$sock (pid $pid)"
}

# PIDs of processes that name this engine's exec-root on their command line:
# its containerd and the containerd shims, which outlive a killed dockerd.
engine_children() {
  local run=$1 p
  for p in /proc/[0-9]*; do
    [[ "${p#/proc/}" != "$$" ]] || continue
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$run/" && echo "${p#/proc/}"
  done
}

stop_engine() {
  local name=$1 dir sock pid ids
  dir=$(engine_dir "$name")
  sock=$(engine_socket "$name")
  pid=$(read_pid "$dir/dockerd.pid")
  if alive "$pid" dockerd && docker_answers "$sock"; then
    ids=$("$DOCKER" -H "unix://$sock" ps -aq 2>/dev/null || true)
    # shellcheck disable=SC2086
    [[ -z "$ids" ]] || timeout 60 "$DOCKER" -H "unix://$sock" rm -f $ids >/dev/null 2>&1 || true
  fi
  [[ -z "$pid" ]] || end_process "$pid" dockerd 20
  cleanup_engine "$name"
  say "engine $name stopped"
}

# Ends what a dead dockerd left behind, unmounts its mounts, deletes its bridge.
cleanup_engine() {
  local name=$1 dir run pid mnt
  dir=$(engine_dir "$name")
  run=$(engine_run "$name")
  for pid in $(engine_children "$run"); do
    end_process "$pid" "$run/" 5
  done
  # Deepest mounts first; the paths are this engine's own.
  while read -r mnt; do
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
  done < <(awk -v a="$dir/" -v b="$run/" 'index($5, a) == 1 || index($5, b) == 1 || $5 == substr(b, 1, length(b) - 1) { print $5 }' /proc/self/mountinfo | sort -r)
  delete_bridge "$dir"
  rm -rf "$run"
  rm -f "$dir/dockerd.pid"
}
