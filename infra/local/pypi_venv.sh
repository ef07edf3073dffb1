#!/usr/bin/env bash
# Installs one pinned PyPI package into its own venv under the cache, once, and prints the venv's
# directory. Idempotent: a second call only prints it. Shared by the test tools from PyPI
# (schemathesis.sh, pyarrow.sh).
#
#   bash infra/local/pypi_venv.sh <package> <version>
#
# Needs python3 with the venv module (Debian: `python3-venv`, installed with apt when missing).
set -euo pipefail
package=$1
version=$2
dir="${AIOT_CACHE_DIR:-$HOME/.cache/aiot}/$package-$version"

log() { printf '%s\n' "$*" >&2; }

if [[ -x "$dir/bin/python" && -f "$dir/.installed" ]]; then
  echo "$dir"
  exit 0
fi

command -v python3 >/dev/null || {
  log "$package: python3 not found"
  exit 1
}
probe="$(mktemp -d)"
if ! python3 -m venv "$probe/v" >/dev/null 2>&1; then
  log "$package: python3 cannot create a venv, installing python3-venv from Debian packages…"
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends python3-venv; } >&2 || {
    rm -rf "$probe"
    log "$package: apt-get install python3-venv failed"
    exit 1
  }
fi
rm -rf "$probe"

log "$package: installing $version from PyPI into $dir…"
rm -rf "$dir"
python3 -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$package==$version" >&2
touch "$dir/.installed"
echo "$dir"
