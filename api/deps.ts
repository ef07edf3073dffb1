/**
 * What `createApp` is built from: ports and functions, passed in by a composition root
 * (`api/main.ts`, the all-in-one). Nothing here reads the environment.
 */
import type { Context } from "hono";
import type { BrokerAccounts } from "../core/devices/broker_accounts.ts";
import type { DeviceIdClaims } from "../core/devices/device_id_claims.ts";
import type { StateLimits } from "../core/devices/state_limits.ts";
import type { DomainEvent } from "../core/events/catalog.ts";
import type { ExportSource } from "../core/export/mod.ts";
import type { TopicNames } from "../core/events/topics.ts";
import type { AppendAck } from "../core/log/event_log.ts";
import type { TimeSeriesStore } from "../core/timeseries/time_series_store.ts";
import type { UserStore } from "../core/users/user_store.ts";
import type { ReadModelStore } from "../core/readmodels/mod.ts";
import type { SecretBox, WebhookStore } from "../core/webhooks/store.ts";
import type { DownloadSigner, FirmwareStore } from "../core/firmware/mod.ts";
import type { CameraMedia, WhepGateway } from "../core/cameras/mod.ts";
import type { RetentionReport } from "../core/retention/mod.ts";
import type { Logger } from "../core/logging/mod.ts";

/** The result of probing one engine. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

/** What `GET /api/v1/stream` asks the live seam for, validated. */
export interface LiveFilter {
  /** Event types to deliver; absent = all. */
  types?: string[];
  /** Only events of this device. */
  device?: string;
}

/** One `GET /api/v1/stream` request, as the live seam gets it. */
export interface LiveRequest {
  filter: LiveFilter;
  /** The `Last-Event-ID` header: resume after this token. */
  lastEventId?: string;
  /**
   * `?from=`: start at this append time (epoch ms), replay, then continue live. A valid
   * `Last-Event-ID` wins over it (an EventSource reconnects to the same URL with its token).
   */
  from?: number;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** Who asks (a user name or `token:<name>`): the seam limits the streams one caller holds. */
  caller: string;
  /**
   * False once the credentials the stream was opened with no longer hold (session logged out or
   * expired, API token revoked, user deleted): an open stream checks this now and then.
   */
  stillAuthorized(): Promise<boolean>;
}

/** One answered request, for the HTTP latency histogram of `/metrics`. */
export interface RequestSample {
  method: string;
  /** The route pattern, e.g. `/api/v1/devices/{id}` (never the raw path, to bound cardinality). */
  route: string;
  status: number;
  durationMs: number;
}

export interface SecurityOptions {
  /** Send `Strict-Transport-Security`: only when served behind TLS. Default false. */
  hsts?: boolean;
  /** Origins allowed by CORS (with credentials). Default none: CORS off. */
  corsOrigins?: string[];
  /**
   * Whose `X-Forwarded-For` to believe for the client address: `true` any peer's (its last
   * entry), or the addresses / CIDR ranges of the proxies (the right-most entry that is not one
   * of them, when the peer is one). Default false: the socket's peer address.
   */
  trustProxy?: boolean | readonly string[];
  /** Session lifetime. Default 12 h. */
  sessionTtlMs?: number;
  /** Login attempts per address and minute. Default 10. */
  loginAttemptsPerMinute?: number;
}

/** Enough for a process that serves only the health endpoints (and metrics). */
export interface HealthDeps {
  /** Probes each engine; `/readyz` is 200 only when all are ok. */
  readiness(): Promise<ReadinessCheck[]>;
  /** Seam for `GET /metrics`: Prometheus text. Mounted only when given. */
  metrics?: () => string | Promise<string>;
  security?: SecurityOptions;
  /** Unhandled errors, lost audit rows, engines not ready. Default: none. */
  logger?: Logger;
}

export interface AppDeps extends HealthDeps {
  readModels: ReadModelStore;
  timeseries: TimeSeriesStore;
  users: UserStore;
  topics: TopicNames;
  /** Appends events to `topic` durably; resolves with one ack per event, in order. */
  appendEvents(topic: string, events: DomainEvent[]): Promise<AppendAck[]>;
  /** A slow hash (scrypt) for passwords and device tokens. */
  hashSecret(secret: string): Promise<{ algorithm: "scrypt"; hash: string }>;
  /** The hash for user passwords (a higher cost than device tokens); default: `hashSecret`. */
  hashPassword?(password: string): Promise<{ algorithm: "scrypt"; hash: string }>;
  verifySecret(secret: string, stored: { algorithm: string; hash: string }): Promise<boolean>;
  /** A fresh high-entropy token (≥ 256 bits), e.g. base64url of 32 random bytes. */
  generateToken(): string;
  /**
   * The device accounts of an external MQTT broker, set by the registry routes while the token is
   * known in plain text. Default: none (the embedded broker reads the registry itself).
   */
  brokerAccounts?: BrokerAccounts;
  /**
   * Leases on device ids being registered, so concurrent registrations of one id answer one 201
   * and 409s. Default: in this process only; several API replicas must share a SQL store.
   */
  deviceIdClaims?: DeviceIdClaims;
  /** Epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Ids of new devices, commands and audit records. Default UUIDv7. */
  newId?: () => string;
  /** The client address for login rate limiting. Default: see `SecurityOptions.trustProxy`. */
  clientAddress?: (c: Context) => string;
  /** Seam for `GET /api/v1/stream` (SSE). Mounted only when given. */
  live?: (request: LiveRequest) => Response | Promise<Response>;
  /** Seam for the HTTP latency histogram: called once per answered request. */
  observeRequest?: (sample: RequestSample) => void;
  /**
   * Read-your-writes: after appending, wait until the `readmodels` projector's checkpoint passed
   * the appended offsets, at most `timeoutMs` (default 2,000; 0 = never wait).
   */
  projection?: { processor?: string; timeoutMs?: number; pollMs?: number };
  /** Caps on the desired state a `PATCH …/state/desired` may build. Default `DEFAULT_STATE_LIMITS`. */
  stateLimits?: Partial<StateLimits>;
  /**
   * Seam for reading what the log recorded: the events of `topic` appended in [fromMs, toMs)
   * (decoded and upcast, in chunks), for backtests and time travel; with `key`, only that key's
   * events (its partition alone is read). `POST /rules/backtest` and `GET …/state?at=` need it.
   */
  readLog?(
    topic: string,
    options: { fromMs: number; toMs: number; key?: string; signal?: AbortSignal },
  ): AsyncIterable<
    readonly DomainEvent[]
  >;
  /**
   * How long after its own time a reading may be appended and still be found by a range read
   * (`AIOT_EXPORT_LATENESS`, design §11). Default one day.
   */
  latenessMs?: number;
  /**
   * Seam for `GET /api/v1/export` (design §11): a log's raw records by append time and their
   * number from offsets (`logExportSource(log)` from `core/export`). Mounted only when given.
   */
  exportLog?: ExportSource;
  /** The most log records an export may scan without `force=true` (`AIOT_EXPORT_MAX_EVENTS`). Default 10,000,000. */
  exportMaxEvents?: number;
  /**
   * Seam for `GET /api/v1/retention`: the effective retention settings and the oldest data each
   * store holds (issue 16). Mounted only when given.
   */
  retention?: () => Promise<RetentionReport>;
  /** Webhook endpoints and their delivery logs (design §9). The routes are mounted only when given. */
  webhooks?: WebhookApiDeps;
  /** The firmware store and its signed downloads (design §10). The routes are mounted only when given. */
  firmware?: FirmwareApiDeps;
  /** Cameras: configuration, WHEP, HLS and recordings (issue 19). The routes are mounted only when given. */
  cameras?: CameraApiDeps;
}

/** What the firmware routes need: where images live, the upload limit, the download URL signer. */
export interface FirmwareApiDeps {
  store: FirmwareStore;
  /** The largest upload (`AIOT_FIRMWARE_MAX_BYTES`). Default 256 MiB. */
  maxBytes?: number;
  /** Checks the signature and expiry of `GET /firmware/{id}/download` URLs. */
  signer: DownloadSigner;
  /**
   * Whether a campaign uses the image, so `DELETE /firmware/{id}` answers 409. Default: never —
   * a seam until the campaigns read model lands (then it queries that).
   */
  firmwareInUse?(firmwareId: string): Promise<boolean>;
}

/** What the webhook routes need: the store, the box that seals secrets, the URL guard. */
export interface WebhookApiDeps {
  store: WebhookStore;
  secrets: SecretBox;
  /** Why `url` may not be a webhook target (not http(s), a private address), or undefined. */
  checkUrl(url: string): Promise<string | undefined>;
  /** A new `whsec_…` secret. Default: 32 random bytes (`generateWebhookSecret`). */
  generateSecret?: () => string;
}

/** What the camera routes need (issue 19). */
export interface CameraApiDeps {
  /** Seals RTSP credentials (context: the camera id). */
  secrets: SecretBox;
  /** Why an RTSP URL may not be a camera source (its host is private or loopback…), or undefined. */
  checkUrl(url: string): Promise<string | undefined>;
  /** The relays' HLS output and recording index. */
  media: CameraMedia;
  /** WebRTC viewing; without it `POST …/whep` answers 503. */
  whep?: WhepGateway;
  /** How long `POST …/whep` waits for a camera that is not online yet. Default 3,000 ms. */
  whepOnlineWaitMs?: number;
  /** The RTMP application push cameras publish to (`rtmp://host:1935/live`); without it push sources are a 400. */
  pushUrl?: string;
}
