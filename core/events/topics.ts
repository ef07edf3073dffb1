/**
 * The topic catalog (design §3): one topic per event family, named `<prefix><family>`. The prefix
 * (default `aiot.`) lets several installations share one Kafka cluster.
 */

import { eventCatalog, type EventType } from "./catalog.ts";
import { topicFamilies, type TopicFamily } from "./topic_families.ts";

/** Topic names by family, e.g. `{ telemetry: "aiot.telemetry", … }`. */
export type TopicNames = Readonly<Record<TopicFamily, string>>;

export const DEFAULT_TOPIC_PREFIX = "aiot.";

/** Kafka topic names: at most 249 characters of `a-z A-Z 0-9 . _ -`. */
const TOPIC_PREFIX_PATTERN = /^[A-Za-z0-9._-]{0,200}$/;

function checkPrefix(prefix: string): void {
  if (!TOPIC_PREFIX_PATTERN.test(prefix)) {
    throw new RangeError(
      `Cannot use topic prefix "${prefix}": expected at most 200 characters of A-Z a-z 0-9 . _ -`,
    );
  }
}

/**
 * Returns the topic name of every family for `prefix` (default `aiot.`). Throws a `RangeError`
 * when the prefix would make an invalid Kafka topic name.
 */
export function topicNames(prefix: string = DEFAULT_TOPIC_PREFIX): TopicNames {
  checkPrefix(prefix);
  const names = {} as Record<TopicFamily, string>;
  for (const family of topicFamilies) names[family] = prefix + family;
  return names;
}

/**
 * Returns the topic that events of `type` are appended to. Throws a `RangeError` for an unknown
 * type or an invalid prefix.
 */
export function topicFor(type: EventType, prefix: string = DEFAULT_TOPIC_PREFIX): string {
  const definition = Object.hasOwn(eventCatalog, type) ? eventCatalog[type] : undefined;
  if (definition === undefined) throw new RangeError(`Cannot find a topic for unknown event type "${type}"`);
  checkPrefix(prefix);
  return prefix + definition.family;
}
