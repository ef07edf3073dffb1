#!/usr/bin/env bash
# Installs the pinned Schemathesis (API fuzzer, from PyPI) into a venv under the cache, once, and
# prints the path of its `schemathesis` executable. Idempotent: a second call only prints the path.
#
#   bash infra/local/schemathesis.sh            # install if missing, print the executable
set -euo pipefail
dir=$(bash "$(dirname "$0")/pypi_venv.sh" schemathesis 4.32.5)
"$dir/bin/schemathesis" --version >/dev/null
echo "$dir/bin/schemathesis"
