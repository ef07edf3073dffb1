/**
 * `retention.ms` of the log's topics: set when a topic is created and altered at start when the
 * configuration changed, so lowering it is retroactive (Kafka deletes the segments now too old on
 * its own schedule: `log.retention.check.interval.ms`, 5 min by default, whole segments only).
 */
import type { Admin } from "kafkajs";

/** kafkajs' `ConfigResourceTypes.TOPIC` and `ConfigSource.TOPIC_CONFIG` (type-only enums there). */
const TOPIC = 2;
const TOPIC_CONFIG = 1;

/** ms → the value Kafka takes: `-1` keeps everything. */
export const retentionValue = (ms: number): string => (Number.isFinite(ms) ? String(Math.round(ms)) : "-1");

/** The `retention.ms` each topic has, and whether it is the topic's own or the broker's default. */
export async function describeRetention(
  admin: Admin,
  topics: string[],
): Promise<Map<string, { retentionMs: number; own: boolean }>> {
  const described = await admin.describeConfigs({
    resources: topics.map((name) => ({ type: TOPIC, name, configNames: ["retention.ms"] })),
    includeSynonyms: false,
  });
  const out = new Map<string, { retentionMs: number; own: boolean }>();
  for (const resource of described.resources) {
    const entry = resource.configEntries.find((e) => e.configName === "retention.ms");
    if (entry) {
      out.set(resource.resourceName, {
        retentionMs: Number(entry.configValue),
        own: entry.configSource === TOPIC_CONFIG,
      });
    }
  }
  return out;
}

/**
 * Sets `retention.ms` on the topics whose value differs from `wanted`. AlterConfigs replaces all of
 * a topic's own settings, so the others it has (`max.message.bytes`, …) are sent along unchanged.
 * Resolves with the topics it altered.
 */
export async function alignRetention(admin: Admin, wanted: Map<string, number>): Promise<string[]> {
  if (wanted.size === 0) return [];
  const described = await admin.describeConfigs({
    resources: [...wanted.keys()].map((name) => ({ type: TOPIC, name })),
    includeSynonyms: false,
  });
  const resources = [];
  for (const resource of described.resources) {
    const ms = wanted.get(resource.resourceName);
    if (ms === undefined) continue;
    const own = resource.configEntries.filter((e) => e.configSource === TOPIC_CONFIG && !e.isSensitive);
    const value = retentionValue(ms);
    if (own.find((e) => e.configName === "retention.ms")?.configValue === value) continue;
    const configEntries = own.filter((e) => e.configName !== "retention.ms")
      .map((e) => ({ name: e.configName, value: e.configValue }));
    configEntries.push({ name: "retention.ms", value });
    resources.push({ type: TOPIC, name: resource.resourceName, configEntries });
  }
  if (resources.length > 0) await admin.alterConfigs({ validateOnly: false, resources });
  return resources.map((r) => r.name);
}
