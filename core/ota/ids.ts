/**
 * Ids the `ota` processor derives instead of drawing, like the rules processor's (see
 * `core/rules/ids.ts`): the same transition derived again after a redelivery or a crash before
 * the state was saved gets the same job id and event id, so read models, webhooks and SSE
 * clients see a repeat, never a second job or a second transition.
 */
import { uuidv7FromDigest } from "../events/uuid_v7.ts";
import { sha256Hex } from "../sha256.ts";

const encoder = new TextEncoder();
const digestOf = (parts: readonly (string | number)[]) => sha256Hex(encoder.encode(parts.join("\u0000")));

/** `job-<24 hex digits>`: one job per (campaign, device), an entity id whatever the ids' lengths. */
export function jobIdOf(campaignId: string, deviceId: string): string {
  return `job-${digestOf([campaignId, deviceId]).slice(0, 24)}`;
}

/**
 * The envelope id of the `kind` event about `subject` (a job or campaign id) caused by `cause`
 * (the id of the event that triggered it, or a deadline), at `at` (epoch ms, its time part).
 */
export function otaEventIdOf(subject: string, kind: string, cause: string | number, at: number): string {
  const hex = digestOf([subject, kind, cause]);
  const digest = new Uint8Array(10);
  for (let i = 0; i < 10; i++) digest[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return uuidv7FromDigest(Math.max(0, Math.floor(at)), digest);
}
