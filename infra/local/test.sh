#!/usr/bin/env bash
# The test gate: starts the real engines the tests need (installing them on first use), runs the
# whole deno test suite against them, and ends with the line "N passed, N failed".
# Extra arguments go to `deno test` (e.g. a path or --filter). Summary also written to .tmp/test-summary.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .tmp

if ! bash infra/local/engines.sh start >&2; then
  echo "engines failed to start: see the lines above" >&2
  echo "0 passed, 1 failed" | tee .tmp/test-summary
  exit 1
fi
eval "$(bash infra/local/engines.sh env)"

# The dashboard tests drive Debian's Chromium (never a downloaded browser).
if ! command -v chromium >/dev/null 2>&1; then
  echo "chromium: installing from Debian packages…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 ||
    echo "chromium: install failed; the browser tests will fail" >&2
fi
export AIOT_TEST_KAFKA_BROKERS AIOT_TEST_POSTGRES_URL AIOT_TEST_MONGO_URL AIOT_TEST_MQTT_URL AIOT_TEST_OTLP_ENDPOINT AIOT_TEST_JAEGER_QUERY_URL AIOT_TEST_JANUS_URL AIOT_TEST_JANUS_SECRET AIOT_TEST_RTMP_URL

# The API fuzz test (infra/fuzz/http_fuzz_test.ts) runs Schemathesis from PyPI, in a venv under the cache.
if AIOT_SCHEMATHESIS="$(bash infra/local/schemathesis.sh)"; then
  export AIOT_SCHEMATHESIS
else
  echo "schemathesis: install failed; the API fuzz test will fail" >&2
fi

# The export tests read the Parquet files back with PyArrow (from PyPI, in a venv under the cache):
# a reader independent of the writer.
if AIOT_PYARROW="$(bash infra/local/pyarrow.sh)"; then
  export AIOT_PYARROW
else
  echo "pyarrow: install failed; the Parquet export tests will fail" >&2
fi

# A test that hangs must fail the run, not stall CI until its own limit: the whole suite gets
# AIOT_TEST_TIMEOUT_MINUTES (default 45; a clean run takes a few minutes).
NO_COLOR=1 timeout --kill-after=30s "${AIOT_TEST_TIMEOUT_MINUTES:-45}m" deno test --allow-all --parallel "$@" 2>&1 |
  tee .tmp/test-output.log
status=${PIPESTATUS[0]}

# deno's summary: "ok | 12 passed (3 steps) | 0 failed (395ms)" or "FAILED | 10 passed | 2 failed (1s)".
summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' .tmp/test-output.log | tail -n 1)
passed=$(sed -E 's/^[A-Z a-z]+\| ([0-9]+) passed.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")
if [[ -z "$summary" ]]; then
  # No summary means deno stopped before running tests (type error, bad flag): count it as a failure.
  passed=0 failed=1
elif [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1
fi
echo "$passed passed, $failed failed" | tee .tmp/test-summary
exit "$status"
