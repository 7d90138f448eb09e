#!/usr/bin/env bash
# Builds the imagewise-common wheel into OUT_DIR, offline. It builds a copy of the
# sources: setuptools writes build/ and *.egg-info beside what it builds, and a
# stale build/lib would slip modules deleted from src/ into the next wheel.
set -euo pipefail
out=$(realpath -m "${1:?usage: pack.sh OUT_DIR}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# setuptools before 70.1 builds wheels only with the `wheel` package, which the
# python3 first on PATH may lack (pyenv's); Debian's python3-pip brings it.
can_build='
import importlib.util, sys, setuptools
version = tuple(int(part) for part in setuptools.__version__.split(".")[:2])
sys.exit(0 if importlib.util.find_spec("pip") and (version >= (70, 1) or importlib.util.find_spec("wheel")) else 1)'
python=
for candidate in ${PYTHON:+"$PYTHON"} python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c "$can_build" 2>/dev/null; then
    python=$candidate
    break
  fi
done
if [[ -z $python ]]; then
  echo "pack.sh: error: no Python with pip, setuptools and wheel (tried ${PYTHON:+$PYTHON, }python3, /usr/bin/python3);" \
    "install them (Debian: apt-get install python3-pip python3-wheel) or set PYTHON to an interpreter that has them" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$here/pyproject.toml" "$here/README.md" "$here/src" "$work/"
mkdir -p "$out"
"$python" -m pip wheel --quiet --no-deps --no-build-isolation --no-index --no-cache-dir --wheel-dir "$out" "$work"
