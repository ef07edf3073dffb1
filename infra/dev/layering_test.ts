import assert from "node:assert/strict";
import { checkFile, findLayeringViolations } from "./layering.ts";

Deno.test("layering check fails when core imports infra", () => {
  const violations = checkFile(
    "core/log/x.ts",
    `import { createSqliteEventLog } from "../../infra/sqlite/sqlite_event_log.ts";\n`,
  );
  assert.equal(violations.length, 1);
  assert.match(violations[0]!.message, /core must not import infra/);
});

Deno.test("layering check fails when core calls Deno APIs outside tests", () => {
  assert.equal(checkFile("core/a.ts", "await Deno.readTextFile('x');").length, 1);
  assert.equal(checkFile("core/a_test.ts", "Deno.test('x', () => {});").length, 0);
});

Deno.test("layering check: processor definitions import only core, their main.ts may import infra", () => {
  const source = `import { openEventLog } from "../../infra/event_log_from_config.ts";`;
  assert.equal(checkFile("processors/timeseries/mod.ts", source).length, 1);
  assert.equal(checkFile("processors/timeseries/main.ts", source).length, 0);
  assert.equal(checkFile("infra/x.ts", `export { a } from "../processors/timeseries/mod.ts";`).length, 1);
});

Deno.test("layering check: ui may import only types from api", () => {
  assert.equal(checkFile("ui/app.tsx", `import type { AppDeps } from "../api/app.ts";`).length, 0);
  assert.equal(checkFile("ui/app.tsx", `import { createApp } from "../api/app.ts";`).length, 1);
});

Deno.test("layering check: bench may import every layer, nothing else may import bench", () => {
  const benchImports = [
    `import { startInProcess } from "../infra/all_in_one/in_process.ts";`,
    `import { createApp } from "../api/app.ts";`,
    `import { timeseriesProcessor } from "../processors/timeseries/mod.ts";`,
    `import { compare } from "./harness.ts";`,
  ];
  for (const source of benchImports) assert.deepEqual(checkFile("bench/storage.ts", source), []);
  const importsBench = `import { compare } from "../../bench/harness.ts";`;
  assert.match(checkFile("infra/sqlite/x.ts", importsBench)[0]!.message, /infra must not import bench/);
  assert.equal(checkFile("infra/all_in_one/platform.ts", importsBench).length, 1);
  assert.equal(checkFile("infra/cli/main.ts", importsBench).length, 1);
  assert.equal(checkFile("core/x/x.ts", importsBench).length, 1);
});

Deno.test("the repository itself has no layering violations", async () => {
  assert.deepEqual(
    await findLayeringViolations(new URL("../..", import.meta.url).pathname.replace(/\/$/, "")),
    [],
  );
});
