# shellcheck shell=bash
# Installs Debian's docker.io, docker-registry and debootstrap when missing.

ensure_packages() {
  local missing=()
  [[ -x "$DOCKERD" && -x "$DOCKER" ]] || missing+=(docker.io)
  [[ -x "$REGISTRY_BIN" ]] || missing+=(docker-registry)
  [[ -x "$DEBOOTSTRAP" ]] || missing+=(debootstrap)
  command -v curl >/dev/null || missing+=(curl)
  command -v ss >/dev/null || missing+=(iproute2)
  ((${#missing[@]})) || return 0

  mkdir -p "$ENGINE_HOME"
  local log="$ENGINE_HOME/apt.log"
  say "installing ${missing[*]} with apt-get"
  command -v "$APT_GET" >/dev/null || die "apt-get is not available; install ${missing[*]} by hand"
  # Package scripts would start the system's own docker and registry services;
  # a temporary policy-rc.d forbids that. We start our own, with our own state.
  local policy=/usr/sbin/policy-rc.d policy_added=
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && policy_added=1
  fi
  local ok=1
  { "$APT_GET" update && DEBIAN_FRONTEND=noninteractive "$APT_GET" install -y --no-install-recommends "${missing[@]}"; } \
    </dev/null >"$log" 2>&1 || ok=
  [[ -n "$policy_added" ]] && rm -f "$policy"
  [[ -n "$ok" ]] || die "apt-get could not install ${missing[*]}: check the apt sources and network, or install them by hand" "$log"
}
