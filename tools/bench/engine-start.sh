#!/usr/bin/env bash
# Benchmark: cold and warm start of tools/engine, in a home, run directory and
# ports of its own (a running shared engine is left alone). Prints a Markdown table.
#   bash tools/bench/engine-start.sh
set -euo pipefail
engine="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/engine/engine"
home=$(mktemp -d /var/tmp/imagewise-bench-XXXX)
run=$(mktemp -d /run/iwb-XXXX)
export IMAGEWISE_ENGINE_HOME=$home IMAGEWISE_ENGINE_RUN=$run
export IMAGEWISE_MIRROR_PORT=${BENCH_MIRROR_PORT:-5191} IMAGEWISE_REGISTRY_PORT=${BENCH_REGISTRY_PORT:-5190}
trap 'bash "$engine" stop >/dev/null 2>&1 || true; rm -rf "$home" "$run"' EXIT

# timed LABEL CMD...: runs CMD, prints a table row with its wall time in seconds.
timed() {
  local label=$1 start end ms
  shift
  start=$(date +%s%N)
  "$@" >/dev/null 2>>"$home/bench.log"
  end=$(date +%s%N)
  ms=$(((end - start) / 1000000))
  printf '| %s | %d.%02d |\n' "$label" $((ms / 1000)) $((ms % 1000 / 10))
}

echo "| step | seconds |"
echo "| --- | --- |"
timed "cold start: registries, new engine, debootstrap + seed upstream images" bash "$engine" start
seed=$(sed -n 's/^engine: seeded upstream images in \([0-9]*\)s$/\1/p' "$home/bench.log")
echo "| … of which seeding (debootstrap, variants, import, push) | ${seed:-?} |"
timed "second start (no-op)" bash "$engine" start
timed "stop (engine, containerd, registries)" bash "$engine" stop
timed "warm start (mirror already seeded)" bash "$engine" start
timed "extra engine with an empty data-root (start-engine --fresh)" bash "$engine" start-engine bench --fresh
timed "stop everything" bash "$engine" stop
