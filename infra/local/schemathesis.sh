#!/usr/bin/env bash
# Installs the pinned Schemathesis (API fuzzer, from PyPI) into a venv under the cache, once, and
# prints the path of its `schemathesis` executable. Idempotent: a second call only prints the path.
#
#   bash infra/local/schemathesis.sh            # install if missing, print the executable
#
# Needs python3 with the venv module (Debian: `python3-venv`, installed with apt when missing).
set -euo pipefail
version=4.32.5
dir="${AIOT_CACHE_DIR:-$HOME/.cache/aiot}/schemathesis-$version"
exe="$dir/bin/schemathesis"

log() { printf '%s\n' "$*" >&2; }

if [[ -x "$exe" && -f "$dir/.installed" ]]; then
  echo "$exe"
  exit 0
fi

command -v python3 >/dev/null || {
  log "schemathesis: python3 not found"
  exit 1
}
probe="$(mktemp -d)"
if ! python3 -m venv "$probe/v" >/dev/null 2>&1; then
  log "schemathesis: python3 cannot create a venv, installing python3-venv from Debian packages…"
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends python3-venv; } >&2 || {
    rm -rf "$probe"
    log "schemathesis: apt-get install python3-venv failed"
    exit 1
  }
fi
rm -rf "$probe"

log "schemathesis: installing $version from PyPI into $dir…"
rm -rf "$dir"
python3 -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version" >&2
"$exe" --version >&2
touch "$dir/.installed"
echo "$exe"
