/**
 * The rows the read models answer with (design §7). Field names follow the event schemas in
 * `core/events`; times are ISO-8601 strings as in the envelope.
 */

/** A JSON value as stored in state documents and command results. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object: reported/desired state, command parameters. */
export type JsonObject = { [key: string]: JsonValue };

/** The stored device credential: only its hash and algorithm (see `device.registered`). */
export interface DeviceCredential {
  algorithm: "sha256" | "scrypt" | "argon2id";
  hash: string;
}

/** One device of the registry. Decommissioned devices stay listed. */
export interface DeviceRow {
  id: string;
  name?: string;
  model?: string;
  labels: Record<string, string>;
  status: "active" | "decommissioned";
  /** Absent before the first token and after decommissioning: a device without one cannot connect. */
  credential?: DeviceCredential;
  createdAt: string;
  updatedAt: string;
}

/** The shadow of one device: what it reported, what was asked of it, and the difference. */
export interface DeviceStateRow {
  deviceId: string;
  reported: JsonObject;
  desired: JsonObject;
  /** The desired values that differ from the reported ones (recursively). */
  delta: JsonObject;
  /** +1 for every `device.state.reported` and `device.state.desired` event. */
  version: number;
  connected: boolean;
  /** Time of the latest event the device itself caused (connect, disconnect, state, telemetry). */
  lastSeen?: string;
}

/** Command statuses; `acked`, `failed` and `expired` are final. */
export type CommandStatus = "requested" | "dispatched" | "acked" | "failed" | "expired";

/** One command and where it is in its lifecycle. */
export interface CommandRow {
  id: string;
  deviceId: string;
  name: string;
  params?: JsonObject;
  status: CommandStatus;
  /**
   * The device's answer when `status` is `acked`: `ok`, or `error` when it tried and failed
   * (`command.acked` with status `error`). `failed` is kept for the platform giving up.
   */
  ackStatus?: "ok" | "error";
  result?: JsonValue;
  /** The device's error text (`acked`/`error`) or the platform's reason (`failed`). */
  error?: string;
  requestedAt: string;
  dispatchedAt?: string;
  completedAt?: string;
  expiresAt: string;
  requestedBy?: string;
}

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
