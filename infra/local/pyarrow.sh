#!/usr/bin/env bash
# Installs the pinned PyArrow (from PyPI) into a venv under the cache, once, and prints the path of
# its `python`. The export tests read the Parquet files AIOT writes back with it: a reader that
# shares no code with the writer (hyparquet-writer), so a file both agree on is a real Parquet file.
# Idempotent: a second call only prints the path.
#
#   bash infra/local/pyarrow.sh            # install if missing, print the venv's python
#
# Needs python3 with the venv module (Debian: `python3-venv`, installed with apt when missing).
set -euo pipefail
version=26.0.1
dir="${AIOT_CACHE_DIR:-$HOME/.cache/aiot}/pyarrow-$version"
exe="$dir/bin/python"

log() { printf '%s\n' "$*" >&2; }

if [[ -x "$exe" && -f "$dir/.installed" ]]; then
  echo "$exe"
  exit 0
fi

command -v python3 >/dev/null || {
  log "pyarrow: python3 not found"
  exit 1
}
probe="$(mktemp -d)"
if ! python3 -m venv "$probe/v" >/dev/null 2>&1; then
  log "pyarrow: python3 cannot create a venv, installing python3-venv from Debian packages…"
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends python3-venv; } >&2 || {
    rm -rf "$probe"
    log "pyarrow: apt-get install python3-venv failed"
    exit 1
  }
fi
rm -rf "$probe"

log "pyarrow: installing $version from PyPI into $dir…"
rm -rf "$dir"
python3 -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check "pyarrow==$version" >&2
"$exe" -c 'import pyarrow, pyarrow.parquet; print("pyarrow", pyarrow.__version__)' >&2
touch "$dir/.installed"
echo "$exe"
