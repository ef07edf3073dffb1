/**
 * Configuration from environment variables, validated once at start. Only composition roots
 * (`main.ts` files) call `loadConfig`; everything else receives values as arguments.
 */
import { z } from "zod";
import { parseRetrySeconds } from "../../core/webhooks/retry_schedule.ts";
import type { RetentionPolicy } from "../../core/retention/retention_policy.ts";
import { retentionFromEnv } from "./retention_config.ts";
import { type CameraConfig, camerasFromEnv } from "../cameras/camera_config.ts";

const port = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a port number` }).int().min(0).max(65535).default(fallback);

const positiveInt = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a positive integer` })
    .int(`${name} must be a positive integer`).min(1, `${name} must be a positive integer`)
    .max(10_000_000).default(fallback);

/** `1d`, `6h`, `30m`, `45s` or plain seconds, in ms; undefined when unreadable. */
function durationMs(text: string): number | undefined {
  const match = /^(\d{1,9})([dhms]?)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, "": 1000 }[match[2] as "d"]!;
  return Number(match[1]) * unit;
}

const list = z.string().transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

/** What one process runs; the all-in-one runs them all, compose splits them into services. */
export const ROLES = [
  "gateway",
  "timeseries",
  "readmodels",
  "api",
  "rules",
  "notify",
  "ota",
  "cameras",
] as const;
export type Role = typeof ROLES[number];

const schema = z.object({
  AIOT_ROLES: list.pipe(z.array(z.enum(ROLES, { error: `roles are ${ROLES.join(", ")}` }))).optional(),
  AIOT_DATA_DIR: z.string().min(1).default("./data"),
  AIOT_HTTP_PORT: port("AIOT_HTTP_PORT", 8080),
  AIOT_HTTP_HOST: z.string().min(1).default("0.0.0.0"),
  AIOT_MQTT_PORT: port("AIOT_MQTT_PORT", 1883),
  AIOT_MQTT_HOST: z.string().min(1).default("0.0.0.0"),
  AIOT_MQTTS_PORT: port("AIOT_MQTTS_PORT", 8883),
  /** Embedded broker: open connections (all transports, authenticated or not) and per client IP. */
  AIOT_MQTT_MAX_CONNECTIONS: positiveInt("AIOT_MQTT_MAX_CONNECTIONS", 10_000),
  AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS: positiveInt("AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS", 100),
  AIOT_ADMIN_PASSWORD: z.string().min(8, "AIOT_ADMIN_PASSWORD must be at least 8 characters").optional(),
  AIOT_TOPIC_PREFIX: z.string().regex(
    /^[A-Za-z0-9._-]*$/,
    "AIOT_TOPIC_PREFIX may hold letters, digits, . _ -",
  )
    .default("aiot."),
  AIOT_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(4),
  AIOT_KAFKA_BROKERS: list.optional(),
  /** Prefix of Kafka consumer group names; default: the topic prefix unless it is `aiot.`. */
  AIOT_KAFKA_GROUP_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{0,100}$/).optional(),
  AIOT_MONGO_URL: z.url().optional(),
  AIOT_POSTGRES_URL: z.url().optional(),
  AIOT_MQTT_URL: z.url().optional(),
  /** External broker mode: the persistent-session client id of this ingest replica (unique per replica). */
  AIOT_MQTT_CLIENT_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).default("aiot-gateway"),
  /** External broker mode: the dynamic-security admin account that provisions device accounts. */
  AIOT_MQTT_ADMIN_USERNAME: z.string().min(1).max(256).optional(),
  AIOT_MQTT_ADMIN_PASSWORD: z.string().min(1).max(1024).optional(),
  AIOT_LOG_RETENTION_HOURS: z.coerce.number().positive().optional(),
  /** Embedded log: records kept in memory per partition for consumers that keep up (0 = none). */
  AIOT_LOG_TAIL_RECORDS: z.coerce.number().int().min(0).max(1_000_000).default(1024),
  AIOT_READY_MAX_LAG: z.coerce.number().int().min(0).default(100_000),
  /** How late a reading may be appended after its own time and still be found by a range read (§11). */
  AIOT_EXPORT_LATENESS: z.string().transform((text, ctx) => {
    const ms = durationMs(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "AIOT_EXPORT_LATENESS is a duration such as 1d, 6h, 30m or 3600s",
      });
      return z.NEVER;
    }
    return ms;
  }).default(86_400_000),
  /** The most log records an export may scan without `force=true` (§11). */
  AIOT_EXPORT_MAX_EVENTS: z.coerce.number({ error: "AIOT_EXPORT_MAX_EVENTS must be a positive integer" })
    .int("AIOT_EXPORT_MAX_EVENTS must be a positive integer").min(
      1,
      "AIOT_EXPORT_MAX_EVENTS must be a positive integer",
    )
    .default(10_000_000),
  AIOT_PROJECTION_THREAD: z.enum(["0", "1"]).default("1"),
  AIOT_HSTS: z.enum(["0", "1"]).default("0"),
  /** `0` off, `1` any peer, or the proxies' addresses / CIDR ranges (comma-separated). */
  AIOT_TRUST_PROXY: z.union([
    z.enum(["0", "1"]),
    list.pipe(
      z.array(
        z.string().regex(
          /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/,
          "AIOT_TRUST_PROXY is 0, 1 or a list of IP addresses / CIDR ranges",
        ),
      ).min(1),
    ),
  ]).default("0"),
  AIOT_CORS_ORIGINS: list.optional(),
  /** Live stream (SSE) limits: see `LiveHubOptions` in api/live/live_hub.ts. */
  AIOT_SSE_MAX_BUFFERED_BYTES: z.coerce.number({
    error: "AIOT_SSE_MAX_BUFFERED_BYTES must be a number of bytes",
  })
    .int().min(64 * 1024, "AIOT_SSE_MAX_BUFFERED_BYTES must be at least 65536").max(1024 ** 3)
    .default(4 * 1024 * 1024),
  AIOT_SSE_MAX_RESUME_EVENTS: positiveInt("AIOT_SSE_MAX_RESUME_EVENTS", 10_000),
  AIOT_SSE_STREAMS_PER_CALLER: positiveInt("AIOT_SSE_STREAMS_PER_CALLER", 8),
  AIOT_SSE_AUTH_RECHECK_SECONDS: positiveInt("AIOT_SSE_AUTH_RECHECK_SECONDS", 30),
  /** Webhooks may target loopback and private networks (tests, labs); default off (SSRF). */
  AIOT_WEBHOOK_ALLOW_PRIVATE: z.enum(["0", "1"]).default("0"),
  /** Delays between webhook attempts, seconds: `5,300,1800`. */
  AIOT_WEBHOOK_RETRY_SECONDS: z.string().transform((text, ctx) => {
    try {
      return parseRetrySeconds(text);
    } catch {
      ctx.addIssue({
        code: "custom",
        message: "AIOT_WEBHOOK_RETRY_SECONDS must be 1-20 comma-separated seconds, each 0-604800",
      });
      return z.NEVER;
    }
  }).optional(),
  /** Key sealing webhook secrets at rest: base64 of 32 bytes (default: `secret.key` in the data dir). */
  AIOT_SECRET_KEY: z.string().refine((text) => {
    try {
      return atob(text.trim()).length === 32;
    } catch {
      return false;
    }
  }, "AIOT_SECRET_KEY must be base64 of 32 bytes").optional(),
  /** Largest firmware upload (design §10). Default 256 MiB. */
  AIOT_FIRMWARE_MAX_BYTES: z.coerce.number({ error: "AIOT_FIRMWARE_MAX_BYTES must be a number of bytes" })
    .int("AIOT_FIRMWARE_MAX_BYTES must be a number of bytes").min(
      1,
      "AIOT_FIRMWARE_MAX_BYTES must be at least 1",
    )
    .max(2 ** 40, "AIOT_FIRMWARE_MAX_BYTES is at most 1 TiB").default(256 * 1024 * 1024),
  /** Lifetime of a signed firmware download URL (design §10). Default 24 h. */
  AIOT_FIRMWARE_URL_TTL: z.string().transform((text, ctx) => {
    const ms = durationMs(text);
    if (!ms) {
      ctx.addIssue({
        code: "custom",
        message: "AIOT_FIRMWARE_URL_TTL is a duration such as 24h, 30m or 3600s",
      });
      return z.NEVER;
    }
    return ms;
  }).default(86_400_000),
  /** Where devices and browsers reach this platform, e.g. `https://iot.example.com` (download URLs). */
  AIOT_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "AIOT_PUBLIC_URL must be an http(s) URL" })
    .optional(),
}).superRefine((e, ctx) => {
  // Messages name the variables only: never a value (the password must not reach a log).
  const admin = [e.AIOT_MQTT_ADMIN_USERNAME, e.AIOT_MQTT_ADMIN_PASSWORD].filter(Boolean).length;
  if (admin === 1) {
    ctx.addIssue({
      code: "custom",
      path: ["AIOT_MQTT_ADMIN_USERNAME"],
      message: "AIOT_MQTT_ADMIN_USERNAME and AIOT_MQTT_ADMIN_PASSWORD go together",
    });
  }
  if (e.AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS > e.AIOT_MQTT_MAX_CONNECTIONS) {
    ctx.addIssue({
      code: "custom",
      path: ["AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS"],
      message: "AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS cannot exceed AIOT_MQTT_MAX_CONNECTIONS",
    });
  }
  if (admin > 0 && !e.AIOT_MQTT_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["AIOT_MQTT_ADMIN_USERNAME"],
      message: "the MQTT admin account needs AIOT_MQTT_URL (external broker mode)",
    });
  }
});

export interface AiotConfig {
  dataDir: string;
  /** Default: every role. */
  roles: Role[];
  http: { host: string; port: number };
  /**
   * With `url`, the gateway role ingests from that external broker (`clientId`) instead of the
   * embedded one; with `admin` too, the registry provisions device accounts in it (dynamic security).
   */
  mqtt: {
    host: string;
    port: number;
    tlsPort: number;
    url?: string;
    clientId: string;
    admin?: { username: string; password: string };
    /** Embedded broker: caps on open connections, in total and per client IP address. */
    connectionCaps: { maxConnections: number; maxConnectionsPerAddress: number };
  };
  adminPassword?: string;
  topicPrefix: string;
  partitions: number;
  kafkaBrokers?: string[];
  /** Prepended to every Kafka consumer group name (see `openEventLog`). */
  kafkaGroupPrefix: string;
  mongoUrl?: string;
  postgresUrl?: string;
  logRetentionMs?: number;
  /** Embedded log: records of each partition's tail kept in memory per thread (`AIOT_LOG_TAIL_RECORDS`). */
  logTailRecords: number;
  /** How long each store keeps data (`AIOT_RETENTION_*`, see `retention_config.ts`). */
  retention: RetentionPolicy;
  /** Cameras (`AIOT_JANUS_*`, `AIOT_CAMERA_*`, see `infra/cameras/camera_config.ts`); absent: their defaults. */
  cameras?: CameraConfig;
  /** `/readyz` fails while a processor is more events behind than this. */
  readyMaxLag: number;
  /** How late a reading may arrive and still be found by range reads (backtests, exports), ms. */
  latenessMs: number;
  /** The most log records an export may scan without `force=true` (`AIOT_EXPORT_MAX_EVENTS`). */
  exportMaxEvents: number;
  /** Run the `timeseries` and `readmodels` projectors on a worker thread of their own. */
  projectionThread: boolean;
  /** HTTP hardening: HSTS when served behind TLS, client address from X-Forwarded-For, CORS origins. */
  security: { hsts: boolean; trustProxy: boolean | string[]; corsOrigins: string[] };
  /**
   * Bounds of each live stream (`GET /api/v1/stream`): bytes waiting for a slow client, how far
   * back `Last-Event-ID` may resume (events per partition), streams per caller, and how often an
   * open stream re-checks its caller's credentials.
   */
  sse: { maxBufferedBytes: number; maxResumeEvents: number; streamsPerCaller: number; authRecheckMs: number };
  /**
   * Webhooks (the `notify` role and the API's `/webhooks`): whether private and loopback targets
   * are allowed, the retry schedule (absent: design §9's default), and the key sealing endpoint
   * secrets (absent: `secret.key` in the data dir; replicas on one PostgreSQL must share it).
   */
  webhooks: { allowPrivate: boolean; retrySeconds?: number[]; secretKey?: string };
  /**
   * The base of absolute URLs handed to devices (`AIOT_PUBLIC_URL`); default
   * `http://localhost:<http port>`, which only devices on this host can reach.
   */
  publicUrl: string;
  /** Firmware store: the upload limit, and the lifetime of signed download URLs. */
  firmware: { maxBytes: number; urlTtlMs: number };
}

/** Reads and validates `env`; throws a `TypeError` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AiotConfig {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith("AIOT_") && v !== "")),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new TypeError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const retention = retentionFromEnv(env);
  const cameras = camerasFromEnv(env);
  return {
    retention,
    cameras,
    dataDir: e.AIOT_DATA_DIR,
    roles: e.AIOT_ROLES?.length ? e.AIOT_ROLES : [...ROLES],
    http: { host: e.AIOT_HTTP_HOST, port: e.AIOT_HTTP_PORT },
    mqtt: {
      host: e.AIOT_MQTT_HOST,
      port: e.AIOT_MQTT_PORT,
      tlsPort: e.AIOT_MQTTS_PORT,
      clientId: e.AIOT_MQTT_CLIENT_ID,
      connectionCaps: {
        maxConnections: e.AIOT_MQTT_MAX_CONNECTIONS,
        maxConnectionsPerAddress: e.AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS,
      },
      ...(e.AIOT_MQTT_URL ? { url: e.AIOT_MQTT_URL } : {}),
      ...(e.AIOT_MQTT_ADMIN_USERNAME && e.AIOT_MQTT_ADMIN_PASSWORD
        ? { admin: { username: e.AIOT_MQTT_ADMIN_USERNAME, password: e.AIOT_MQTT_ADMIN_PASSWORD } }
        : {}),
    },
    ...(e.AIOT_ADMIN_PASSWORD ? { adminPassword: e.AIOT_ADMIN_PASSWORD } : {}),
    topicPrefix: e.AIOT_TOPIC_PREFIX,
    partitions: e.AIOT_PARTITIONS,
    ...(e.AIOT_KAFKA_BROKERS?.length ? { kafkaBrokers: e.AIOT_KAFKA_BROKERS } : {}),
    kafkaGroupPrefix: e.AIOT_KAFKA_GROUP_PREFIX ??
      (e.AIOT_TOPIC_PREFIX === "aiot." ? "" : e.AIOT_TOPIC_PREFIX),
    ...(e.AIOT_MONGO_URL ? { mongoUrl: e.AIOT_MONGO_URL } : {}),
    ...(e.AIOT_POSTGRES_URL ? { postgresUrl: e.AIOT_POSTGRES_URL } : {}),
    logTailRecords: e.AIOT_LOG_TAIL_RECORDS,
    ...(e.AIOT_LOG_RETENTION_HOURS ? { logRetentionMs: e.AIOT_LOG_RETENTION_HOURS * 3_600_000 } : {}),
    readyMaxLag: e.AIOT_READY_MAX_LAG,
    latenessMs: e.AIOT_EXPORT_LATENESS,
    exportMaxEvents: e.AIOT_EXPORT_MAX_EVENTS,
    projectionThread: e.AIOT_PROJECTION_THREAD === "1",
    security: {
      hsts: e.AIOT_HSTS === "1",
      trustProxy: Array.isArray(e.AIOT_TRUST_PROXY) ? e.AIOT_TRUST_PROXY : e.AIOT_TRUST_PROXY === "1",
      corsOrigins: e.AIOT_CORS_ORIGINS ?? [],
    },
    sse: {
      maxBufferedBytes: e.AIOT_SSE_MAX_BUFFERED_BYTES,
      maxResumeEvents: e.AIOT_SSE_MAX_RESUME_EVENTS,
      streamsPerCaller: e.AIOT_SSE_STREAMS_PER_CALLER,
      authRecheckMs: e.AIOT_SSE_AUTH_RECHECK_SECONDS * 1000,
    },
    webhooks: {
      allowPrivate: e.AIOT_WEBHOOK_ALLOW_PRIVATE === "1",
      ...(e.AIOT_WEBHOOK_RETRY_SECONDS ? { retrySeconds: e.AIOT_WEBHOOK_RETRY_SECONDS } : {}),
      ...(e.AIOT_SECRET_KEY ? { secretKey: e.AIOT_SECRET_KEY } : {}),
    },
    publicUrl: e.AIOT_PUBLIC_URL ?? `http://localhost:${e.AIOT_HTTP_PORT}`,
    firmware: { maxBytes: e.AIOT_FIRMWARE_MAX_BYTES, urlTtlMs: e.AIOT_FIRMWARE_URL_TTL },
  };
}
