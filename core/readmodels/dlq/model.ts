/**
 * The dead-letter read model: one row per rejected uplink (`input.rejected`), written once.
 */
import type { EventOf } from "../../events/catalog.ts";
import { canonicalTime } from "../canonical_time.ts";
import { defineReadModel } from "../define.ts";

/** One dead-lettered uplink (`input.rejected`), as `GET /dlq` lists it. */
export interface DlqRow {
  /** The event id (UUIDv7, so ordering by id is ordering by ingest time). */
  id: string;
  /** When the broker received it, else the event time. */
  at: string;
  /** The MQTT topic it was published on. */
  topic: string;
  deviceId?: string;
  reason: string;
  /** The raw payload, base64. */
  payload: string;
}

/** Bytes encoded by a base64 text. */
const base64Bytes = (text: string) =>
  (text.length / 4) * 3 - (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0);

/** The dead-letter row of an `input.rejected` event. */
export function dlqRowOf(event: EventOf<"input.rejected">): DlqRow {
  const { topic, reason, payloadBase64, payloadTruncated, deviceId, receivedAt } = event.data;
  // The row has no column for it: a payload cut short says so in the reason, which GET /dlq shows.
  const cut = payloadTruncated &&
    ` (payload: the first ${
      base64Bytes(payloadBase64)
    } of ${payloadTruncated.bytes} bytes, sha256 ${payloadTruncated.sha256})`;
  return {
    id: event.id,
    at: canonicalTime(receivedAt ?? event.time),
    topic,
    ...(deviceId === undefined ? {} : { deviceId }),
    reason: cut ? reason + cut : reason,
    payload: payloadBase64,
  };
}

export const dlq = defineReadModel<DlqRow, string>({
  name: "dlq",
  version: 1,
  key: ["id"],
  columns: { id: "text", at: "text", topic: "text", deviceId: "text?", reason: "text", payload: "text" },
  migrations: [{
    version: 1,
    statements: [
      `CREATE TABLE dlq (
        id {key} PRIMARY KEY, at TEXT NOT NULL, topic TEXT NOT NULL, device_id {key}, reason TEXT NOT NULL,
        payload TEXT NOT NULL)`,
      `CREATE INDEX dlq_by_device ON dlq (device_id, id)`,
    ],
  }],
  eventTypes: ["input.rejected"],
  keysOf: (event) => [event.id],
  // The event id is the idempotency key: a redelivered rejection keeps the first row.
  evolve: (row, event) => row ?? (event.type === "input.rejected" ? dlqRowOf(event) : undefined),
  immutable: true,
});
