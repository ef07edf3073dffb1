// Runs against the real broker of `infra/local/engines.sh start kafka` (or AIOT_TEST_KAFKA_BROKERS).
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { serializedAdmin } from "./_kafka_client.ts";

const brokers = (Deno.env.get("AIOT_TEST_KAFKA_BROKERS") ?? "127.0.0.1:19092").split(",");

Deno.test("serializedAdmin() keeps offset lookups whole while other topics' metadata is fetched", async () => {
  // Unqueued, this fails dozens of times per run inside kafkajs ("Cannot destructure property
  // 'partitions' of 'high.pop(...)'"): each metadata fetch of a topic the admin has not seen
  // replaces its cache with that one topic while an offsets lookup is between its two requests.
  const raw = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await raw.connect();
  const prefix = `test.kafka.admin.${crypto.randomUUID().slice(0, 8)}`;
  const looked = `${prefix}.offsets`;
  const fresh = Array.from({ length: 30 }, (_, i) => `${prefix}.m${i}`);
  try {
    await raw.createTopics({
      waitForLeaders: true,
      topics: [looked, ...fresh].map((topic) => ({ topic, numPartitions: 2 })),
    });
    // Right after creation a busy broker may still answer "not the leader" for a while: that is
    // settling, not the race under test, so the lookups start once the topic answers.
    for (let attempt = 1;; attempt++) {
      try {
        await raw.fetchTopicOffsets(looked);
        break;
      } catch (error) {
        if (attempt >= 60) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const admin = serializedAdmin(raw);
    const failures: string[] = [];
    let done = false;
    const lookOffsets = async () => {
      while (!done) {
        await admin.fetchTopicOffsets(looked).then(
          (offsets) => assert.equal(offsets.length, 2),
          (error) => failures.push(String(error)),
        );
      }
    };
    const fetchMetadata = async () => {
      try {
        for (const topic of fresh) await admin.fetchTopicMetadata({ topics: [topic] });
      } finally {
        done = true;
      }
    };
    await Promise.all([lookOffsets(), lookOffsets(), fetchMetadata()]);
    assert.deepEqual(failures, []);
  } finally {
    await raw.deleteTopics({ topics: [looked, ...fresh] }).catch(() => {});
    await raw.disconnect();
  }
});
