# shellcheck shell=bash
# Local registries (Debian's docker-registry, distribution 2.8) on loopback ports:
#   registry: where workspace images are pushed (deletes enabled, for tests and retags);
#   mirror:   docker.io's stand-in, holding the seeded upstream images (library/node, …).

registry_dir() { echo "$ENGINE_HOME/$1"; }

registry_url() { echo "http://127.0.0.1:$2/v2/"; }

registry_answers() { curl -fsS -o /dev/null --max-time 2 "$(registry_url "$@")"; }

# start_registry NAME PORT: idempotent; fails fast when the port belongs to someone else.
start_registry() {
  local name=$1 port=$2 dir pidfile log pid owner
  dir=$(registry_dir "$name")
  pidfile="$dir/registry.pid"
  log="$dir/registry.log"
  pid=$(read_pid "$pidfile")
  if alive "$pid" docker-registry && registry_answers "$name" "$port"; then
    return 0
  fi
  owner=$(port_owner "$port")
  [[ -z "$owner" ]] || die "port $port for the $name is taken by $owner; free it or set IMAGEWISE_$(echo "$name" | tr a-z A-Z)_PORT to a free port"

  mkdir -p "$dir/storage"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$port
YAML
  # setsid: the registry outlives this script and ignores the caller's signals.
  setsid "$REGISTRY_BIN" serve "$dir/config.yml" </dev/null >"$log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$pidfile"
  wait_ready "the $name (docker-registry on port $port)" "$pid" "$log" \
    registry_answers "$name" "$port"
  say "$name listening on 127.0.0.1:$port (pid $pid)"
}

stop_registry() {
  local name=$1 dir pid
  dir=$(registry_dir "$name")
  pid=$(read_pid "$dir/registry.pid")
  [[ -n "$pid" ]] || return 0
  end_process "$pid" docker-registry 10
  rm -f "$dir/registry.pid"
  say "$name stopped"
}
