// Runs against the real broker of `infra/local/engines.sh start kafka` (or AIOT_TEST_KAFKA_BROKERS).
// Kafka deletes expired segments on its own schedule (log.retention.check.interval.ms, whole
// segments only), so these tests check the setting the broker holds, not that data disappears.
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { oldestRecordTime } from "../../core/log/oldest_record.ts";
import { createKafkaEventLog } from "./mod.ts";
import { describeRetention } from "./_kafka_topic_retention.ts";

const brokers = (Deno.env.get("AIOT_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092").split(",");
const HOUR = 3_600_000;

async function withAdmin<T>(fn: (admin: ReturnType<Kafka["admin"]>) => Promise<T>): Promise<T> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

const openLog = (retentionByTopic: Record<string, number>) =>
  createKafkaEventLog({ brokers, clientId: "aiot-test", logLevel: "error", retentionByTopic });

Deno.test("kafka sets retention.ms per topic at creation and alters it when the configuration changes", async () => {
  const run = crypto.randomUUID().slice(0, 8);
  const telemetry = `retention.${run}.telemetry`, device = `retention.${run}.device`;
  const topics = [{ name: telemetry, partitions: 2 }, { name: device, partitions: 1 }];
  try {
    const first = await openLog({ [telemetry]: 7 * 24 * HOUR });
    try {
      await first.ensureTopics(topics);
      await first.append(telemetry, [{ key: "d1", value: "old", timestamp: Date.now() - 2 * HOUR }]);
    } finally {
      await first.close();
    }
    const created = await withAdmin((admin) => describeRetention(admin, [telemetry, device]));
    assert.deepEqual(created.get(telemetry), { retentionMs: 7 * 24 * HOUR, own: true });
    assert.equal(
      created.get(device)?.own,
      false,
      "a topic without a configured retention keeps the broker's",
    );

    // Lowered, and set for the other topic: the next start alters both, keeping the other settings.
    const second = await openLog({ [telemetry]: HOUR, [device]: Infinity });
    try {
      await second.ensureTopics(topics);
      const altered = await withAdmin((admin) => describeRetention(admin, [telemetry, device]));
      assert.deepEqual(altered.get(telemetry), { retentionMs: HOUR, own: true });
      assert.deepEqual(altered.get(device), { retentionMs: -1, own: true });
      const maxBytes = await withAdmin(async (admin) =>
        (await admin.describeConfigs({
          resources: [{ type: 2, name: telemetry, configNames: ["max.message.bytes"] }],
          includeSynonyms: false,
        })).resources[0]?.configEntries[0]?.configValue
      );
      assert.equal(maxBytes, String(16 * 1024 * 1024), "alterConfigs kept the topic's other settings");
      // The log keeps working across the change: appends land, and the oldest record is reported.
      await second.append(telemetry, [{ key: "d2", value: "new" }]);
      const ends = await second.endOffsets(telemetry);
      assert.equal(ends.reduce((n, p) => n + p.end - p.start, 0), 2);
      const oldest = await oldestRecordTime(second, telemetry);
      assert.ok(oldest !== undefined && oldest < Date.now() - HOUR, `oldest ${oldest}`);
    } finally {
      await second.close();
    }
  } finally {
    await withAdmin((admin) => admin.deleteTopics({ topics: [telemetry, device] }));
  }
});
