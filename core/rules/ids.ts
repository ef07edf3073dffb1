/**
 * Ids the rules processor derives instead of drawing: the same alert raised again from the same
 * point (after a redelivery or a crash before the state was saved) gets the same ids, so the
 * alerts read model, webhooks (`webhook-id`) and SSE clients see a repeat, never a second alert.
 */
import { uuidv7FromDigest } from "../events/uuid_v7.ts";
import { sha256Hex } from "../sha256.ts";

const encoder = new TextEncoder();
const digestOf = (parts: readonly (string | number)[]) => sha256Hex(encoder.encode(parts.join("\u0000")));

/**
 * `al-<raisedAt, 13 digits>-<16 hex digits>`: an entity id (≤ 128 characters, no `/`) whatever
 * the rule and device ids, and ids sort by raise time, so a page of alerts in key order is also
 * newest (or oldest) first.
 */
export function alertIdOf(ruleId: string, deviceId: string, raisedAt: number): string {
  const time = String(Math.max(0, Math.floor(raisedAt))).padStart(13, "0");
  return `al-${time}-${digestOf([ruleId, deviceId, raisedAt]).slice(0, 16)}`;
}

/** The id of the `kind` event about `alertId` at event time `at` (the envelope id, a UUIDv7). */
export function alertEventIdOf(alertId: string, kind: string, at: number): string {
  const hex = digestOf([alertId, kind, at]);
  const digest = new Uint8Array(10);
  for (let i = 0; i < 10; i++) digest[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return uuidv7FromDigest(Math.max(0, Math.floor(at)), digest);
}
