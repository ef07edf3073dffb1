#!/usr/bin/env bash
# Installs the pinned PyArrow (from PyPI) into a venv under the cache, once, and prints the path of
# its `python`. The export tests read the Parquet files AIOT writes back with it: a reader that
# shares no code with the writer (hyparquet-writer), so a file both agree on is a real Parquet file.
# Idempotent: a second call only prints the path.
#
#   bash infra/local/pyarrow.sh            # install if missing, print the venv's python
set -euo pipefail
dir=$(bash "$(dirname "$0")/pypi_venv.sh" pyarrow 26.0.1)
"$dir/bin/python" -c 'import pyarrow, pyarrow.parquet' >&2
echo "$dir/bin/python"
