import assert from "node:assert/strict";
import { logLevel } from "kafkajs";
import { recordingLogger } from "../../core/logging/mod.ts";
import { kafkaLogCreator } from "./_kafka_client.ts";

Deno.test("kafkaLogCreator() routes kafkajs lines to the logger at their level, with a few fields only", () => {
  const logger = recordingLogger();
  const log = kafkaLogCreator(logger)(logLevel.INFO);
  const entry = (namespace: string, level: logLevel, fields: Record<string, unknown>) =>
    log({
      namespace,
      level,
      label: logLevel[level],
      log: { timestamp: "", message: "", ...fields } as never,
    });
  entry("Consumer", logLevel.WARN, {
    message: "The group is rebalancing",
    groupId: "aiot-readmodels",
    // kafkajs puts whole configurations in some entries: nothing of them is written.
    sasl: { mechanism: "plain", username: "u", password: "kafka-secret" },
    stack: "Error: …\n    at …",
  });
  entry("Connection", logLevel.ERROR, { message: "Response Metadata(key: 3, version: 6)", error: "x" });
  entry("Producer", logLevel.WARN, { message: "Limiting retries for the idempotent producer to 3" });
  entry("Connection", logLevel.ERROR, { message: "Connection timeout", broker: "kafka:9092" });
  assert.deepEqual(logger.lines.map((l) => [l.level, l.msg, l.fields]), [
    ["warn", "The group is rebalancing", { namespace: "Consumer", groupId: "aiot-readmodels" }],
    ["error", "Connection timeout", { namespace: "Connection", broker: "kafka:9092" }],
  ]);
});
