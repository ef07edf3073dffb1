/**
 * Fuzzes the HTTP API from its own OpenAPI document with Schemathesis (PyPI, installed into the
 * cache by `infra/local/schemathesis.sh`), against the all-in-one platform as an admin. Fails with
 * Schemathesis' report on any server error (5xx) or any error response that is not the API's one
 * error shape (`schemathesis_hooks.py`). Bounded by AIOT_FUZZ_SECONDS (default 30 s per target of
 * Schemathesis' own budget); AIOT_FUZZ_SEED replays a run. With AIOT_TEST_POSTGRES_URL the run
 * is repeated with the read models in a fresh PostgreSQL database.
 *
 * Left out: `GET /api/v1/stream` (an endless SSE response) and `POST /api/v1/auth/logout` (it would
 * end the admin session the rest of the run uses).
 */
import assert from "node:assert/strict";
import { startInProcess } from "../all_in_one/in_process.ts";
import { fuzzSeconds, fuzzSeed } from "./fuzz_budget.ts";
import { createScratchDatabase } from "../postgres/scratch_database.ts";

const HERE = new URL(".", import.meta.url).pathname;
const EXCLUDED_PATHS = ["/api/v1/stream", "/api/v1/auth/logout"];
const decoder = new TextDecoder();

async function schemathesisExecutable(): Promise<string> {
  const fromEnv = Deno.env.get("AIOT_SCHEMATHESIS");
  if (fromEnv) return fromEnv;
  const install = await new Deno.Command("bash", {
    args: [`${HERE}../local/schemathesis.sh`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(install.code, 0, `schemathesis install failed:\n${decoder.decode(install.stderr)}`);
  return decoder.decode(install.stdout).trim();
}

async function fuzzApi(env: Record<string, string>): Promise<void> {
  const executable = await schemathesisExecutable();
  const seed = fuzzSeed();
  const seconds = fuzzSeconds(30);
  console.log(
    `http fuzz: seed ${seed}, ${seconds} s (replay: AIOT_FUZZ_SEED=${seed} AIOT_FUZZ_SECONDS=${seconds})`,
  );
  const h = await startInProcess({ env });
  try {
    // Something for the path operations to find besides 404s.
    await fetch(`${h.base}/api/v1/devices`, {
      method: "POST",
      headers: h.headers,
      body: JSON.stringify({ id: "fuzz-dev", labels: { site: "lab" } }),
    }).then((r) => r.body?.cancel());
    const run = await new Deno.Command(executable, {
      args: [
        "run",
        `${h.base}/api/v1/openapi.json`,
        "--header",
        `Authorization: ${h.headers.authorization}`,
        "--checks",
        "not_a_server_error,error_shape",
        ...EXCLUDED_PATHS.flatMap((path) => ["--exclude-path", path]),
        "--max-examples",
        "20",
        "--max-time",
        String(Math.max(1, Math.round(seconds))),
        "--seed",
        String(seed),
        // One worker: with two, Hypothesis (CPython 3.11 `ast.parse` from threads) sometimes fails
        // with "AST constructor recursion depth mismatch", an error of the tool, not of the API.
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--no-color",
      ],
      env: { SCHEMATHESIS_HOOKS: `${HERE}schemathesis_hooks.py`, NO_COLOR: "1" },
      // Schemathesis keeps a crash cache in `.schemathesis/` of its working directory: not the repo's.
      cwd: h.dataDir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const report = `${decoder.decode(run.stdout)}\n${decoder.decode(run.stderr)}`;
    const summary = report.split("\n").filter((line) => /^\s*\d+ generated|^Seed:/.test(line));
    console.log(`http fuzz: ${summary.map((line) => line.trim()).join(", ")}`);
    assert.equal(run.code, 0, `schemathesis found failures (seed ${seed}):\n${report}`);
  } finally {
    await h.close();
    await Deno.remove(h.dataDir, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name: "http fuzz: no 5xx and only the API's error shape, on the embedded engines",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => fuzzApi({}),
});

const postgresUrl = Deno.env.get("AIOT_TEST_POSTGRES_URL");
Deno.test({
  name: "http fuzz: no 5xx and only the API's error shape, with PostgreSQL read models",
  ignore: !postgresUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const database = await createScratchDatabase(
      postgresUrl!,
      `aiot_fuzz_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`,
    );
    try {
      await fuzzApi({ AIOT_POSTGRES_URL: database.url });
    } finally {
      await database.drop();
    }
  },
});
