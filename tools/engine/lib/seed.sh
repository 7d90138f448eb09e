# shellcheck shell=bash
# Upstream images without internet: a Debian bookworm root filesystem made by
# debootstrap from the mirror apt uses, plus Node.js and Python variants, pushed
# to the mirror registry under their public docker.io names (library/debian,
# library/node, library/python). An engine whose registry mirror is that
# registry then resolves `FROM node:18-bookworm-slim` exactly as a user wrote it.

NPM_VERSION=${IMAGEWISE_SEED_NPM_VERSION:-10.7.0}

# The Debian archive apt already uses on this machine (deb822 or one-line sources).
debian_mirror() {
  [[ -z "${IMAGEWISE_DEBIAN_MIRROR:-}" ]] || { echo "$IMAGEWISE_DEBIAN_MIRROR"; return; }
  local uri
  uri=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ && u { print u; exit }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null)
  [[ -n "$uri" ]] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}

mirror_has() {
  curl -fs -o /dev/null --max-time 5 -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://127.0.0.1:$MIRROR_PORT/v2/library/$1/manifests/$2"
}

# The references a seeded mirror must hold; seeding is skipped when all answer.
SEED_CHECK=(debian:bookworm-slim node:18-bookworm-slim python:3.11-slim-bookworm)

seeded() {
  local ref
  for ref in "${SEED_CHECK[@]}"; do mirror_has "${ref%%:*}" "${ref#*:}" || return 1; done
}

# Runs a command inside a root filesystem, with /proc mounted only meanwhile.
in_root() {
  local root=$1 rc=0
  shift
  mount -t proc proc "$root/proc"
  chroot "$root" env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@" || rc=$?
  umount "$root/proc"
  return "$rc"
}

# Drops what the official slim images drop: docs, man pages, locales, apt lists.
slim_root() {
  local root=$1
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/apt/* "$root"/var/log/dpkg.log "$root"/tmp/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
  : >"$root/etc/resolv.conf"
}

make_base_root() {
  local root=$1 log=$2 mirror
  mirror=$(debian_mirror)
  say "debootstrap bookworm (minbase) from $mirror"
  "$DEBOOTSTRAP" --variant=minbase bookworm "$root" "$mirror" >>"$log" 2>&1 ||
    die "debootstrap failed; check that $mirror is reachable (IMAGEWISE_DEBIAN_MIRROR)" "$log"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
}

# The Node.js variant: Debian's nodejs, and npm from the npm registry laid out as
# the official image has it (/usr/local/lib/node_modules/npm); Debian's own npm
# package would pull in a compiler toolchain.
make_node_root() {
  local root=$1 log=$2 work=$3
  in_root "$root" apt-get install -y -q --no-install-recommends nodejs ca-certificates >>"$log" 2>&1 ||
    die "apt-get install nodejs failed in the seed root" "$log"
  (cd "$work" && npm pack "npm@$NPM_VERSION" --silent >>"$log" 2>&1) ||
    die "could not fetch npm@$NPM_VERSION from the npm registry" "$log"
  mkdir -p "$root/usr/local/lib/node_modules/npm"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
}

# The Python variant: Debian's python3 with pip and setuptools; `python` and `pip`
# commands and no EXTERNALLY-MANAGED marker, as in the official image.
make_python_root() {
  local root=$1 log=$2
  in_root "$root" apt-get install -y -q --no-install-recommends \
    python3 python3-pip python3-setuptools python3-venv python3-wheel ca-certificates >>"$log" 2>&1 ||
    die "apt-get install python3 failed in the seed root" "$log"
  rm -f "$root"/usr/lib/python3.*/EXTERNALLY-MANAGED
  ln -sf /usr/bin/python3 "$root/usr/local/bin/python"
  ln -sf /usr/bin/pip3 "$root/usr/local/bin/pip"
}

# import_and_push ROOT REPO CMD TAG...: one image, pushed to the mirror under every tag.
import_and_push() {
  local root=$1 repo=$2 cmd=$3 log=$4
  shift 4
  local first="127.0.0.1:$MIRROR_PORT/library/$repo:$1" tag
  tar --numeric-owner --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' -C "$root" -c . |
    "$DOCKER" import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change "CMD $cmd" \
      - "$first" >>"$log" 2>&1 || die "docker import of $repo failed" "$log"
  for tag in "$@"; do
    "$DOCKER" tag "$first" "127.0.0.1:$MIRROR_PORT/library/$repo:$tag"
    "$DOCKER" push "127.0.0.1:$MIRROR_PORT/library/$repo:$tag" >>"$log" 2>&1 ||
      die "push of $repo:$tag to the mirror failed" "$log"
    # An engine that is not ours has no mirror: give it the public name directly.
    [[ -z "${SEED_PUBLIC_TAGS:-}" ]] || "$DOCKER" tag "$first" "$repo:$tag"
  done
}

# seed_upstream: needs a running engine (DOCKER_HOST) and the mirror.
seed_upstream() {
  if seeded; then
    say "upstream images already seeded in the mirror"
    return 0
  fi
  local work="$ENGINE_HOME/seed" log="$ENGINE_HOME/seed/seed.log" started=$SECONDS node_version py_version
  rm -rf "$work" && mkdir -p "$work"
  make_base_root "$work/debian" "$log"
  in_root "$work/debian" apt-get update -q >>"$log" 2>&1 || die "apt-get update failed in the seed root" "$log"
  cp -a "$work/debian" "$work/node"
  cp -a "$work/debian" "$work/python"
  # The two variants install in parallel; each failure still names its log.
  make_node_root "$work/node" "$work/node.log" "$work" &
  local node_job=$!
  make_python_root "$work/python" "$work/python.log" &
  local python_job=$!
  wait "$node_job" || exit 1
  wait "$python_job" || exit 1

  node_version=$(chroot "$work/node" node --version | sed 's/^v//')
  py_version=$(chroot "$work/python" python3 -c 'import platform; print(platform.python_version())')
  local root
  for root in debian node python; do slim_root "$work/$root"; done

  say "pushing debian, node $node_version and python $py_version to the mirror"
  import_and_push "$work/debian" debian '["bash"]' "$log" bookworm-slim bookworm 12-slim 12
  import_and_push "$work/node" node '["node"]' "$log" \
    "${node_version%%.*}-bookworm-slim" "${node_version%.*}-bookworm-slim" "$node_version-bookworm-slim" \
    "${node_version%%.*}-slim" "${node_version%%.*}"
  import_and_push "$work/python" python '["python3"]' "$log" \
    "${py_version%.*}-slim-bookworm" "$py_version-slim-bookworm" "${py_version%.*}-slim" "${py_version%.*}"
  rm -rf "$work/debian" "$work/node" "$work/python"
  say "seeded upstream images in $((SECONDS - started))s"
}
