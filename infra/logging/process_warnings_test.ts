import assert from "node:assert/strict";
import process from "node:process";
import { recordingLogger } from "../../core/logging/mod.ts";
import { logProcessWarnings } from "./process_warnings.ts";

Deno.test("logProcessWarnings() logs each kind of Node process warning once, and only there", async () => {
  const logger = recordingLogger();
  const emit = process.emit;
  try {
    logProcessWarnings(logger);
    process.emitWarning("first", "AiotTestWarning");
    process.emitWarning("second", "AiotTestWarning");
    process.emitWarning("other", "AiotOtherWarning");
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(logger.lines.map((l) => [l.level, l.msg, l.fields.warning]), [
      ["warn", "first", "AiotTestWarning"],
      ["warn", "other", "AiotOtherWarning"],
    ]);
    // Other events still reach their listeners.
    let got = 0;
    process.once("aiot-test-event" as never, () => got++);
    process.emit("aiot-test-event" as never);
    assert.equal(got, 1);
  } finally {
    process.emit = emit;
  }
});
