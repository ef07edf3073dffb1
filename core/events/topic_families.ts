/**
 * The event families, one topic each (design §3). A file of its own because both the event
 * definitions (each names its family) and the topic catalog (which routes by the event catalog)
 * need it: kept in `topics.ts`, it would close the cycle definition → topics → catalog → definition.
 */

/** The event families, one topic each. */
export const topicFamilies = ["telemetry", "device", "command", "ota", "alert", "dlq"] as const;

export type TopicFamily = typeof topicFamilies[number];
