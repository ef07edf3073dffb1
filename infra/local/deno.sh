#!/usr/bin/env bash
# Installs the pinned Deno from the npm registry into the cache (once) and prints its path.
set -euo pipefail
version=2.9.6
dir="${AIOT_CACHE_DIR:-$HOME/.cache/aiot}/deno-$version"
if [[ ! -x "$dir/node_modules/.bin/deno" ]] || ! "$dir/node_modules/.bin/deno" --version 2>/dev/null | grep -q "deno $version"; then
  echo "deno: installing $version from npm into $dir…" >&2
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "deno@$version" >&2
fi
echo "$dir/node_modules/.bin/deno"
