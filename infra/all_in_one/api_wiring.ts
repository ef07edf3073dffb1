/**
 * The API's dependencies from opened engines: shared by the all-in-one and the standalone API
 * service (`api/main.ts`), so both serve the same app.
 */
import type { AppDeps } from "../../api/deps.ts";
import type { LiveHub } from "../../api/live/live_hub.ts";
import type { BrokerAccounts } from "../../core/devices/broker_accounts.ts";
import type { DeviceIdClaims } from "../../core/devices/device_id_claims.ts";
import type { Instrumentation } from "./instrumentation.ts";
import type { TopicNames } from "../../core/events/topics.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import { activeTraceparent, stampTraceparent, tracingEnabled } from "../../core/tracing/mod.ts";
import { readEvents } from "../../core/log/read_events.ts";
import { logExportSource } from "../../core/export/mod.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import type { TimeSeriesStore } from "../../core/timeseries/time_series_store.ts";
import { ensureAdmin } from "../../core/users/ensure_admin.ts";
import type { UserStore } from "../../core/users/user_store.ts";
import { generateToken, hashPassword, hashSecret, verifySecret } from "../auth/secrets.ts";
import type { AiotConfig } from "../config/config.ts";
import type { ReadModelStore } from "../../core/readmodels/mod.ts";
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import type { DomainEvent } from "../../core/events/catalog.ts";
import { applyRevocations } from "../../processors/gateway_control/mod.ts";
import type { Webhooks } from "../webhooks/mod.ts";
import type { Firmware } from "../firmware/mod.ts";
import type { Cameras } from "../cameras/mod.ts";
import { retentionReporter } from "./retention_role.ts";
import type { Logger } from "../../core/logging/mod.ts";
import { createLogger } from "../logging/mod.ts";

export interface ApiEngines {
  log: EventLog;
  topics: TopicNames;
  timeseries: TimeSeriesStore;
  readModels: ReadModelStore;
  users: UserStore;
  readiness: AppDeps["readiness"];
  /** The SSE hub, where this process serves `/stream`. */
  live?: LiveHub;
  /** Where `/metrics` comes from, when this process keeps metrics. */
  instrumentation?: Instrumentation;
  /** External broker mode: the broker's device accounts, provisioned by the registry routes. */
  brokerAccounts?: BrokerAccounts;
  /** Leases on device ids being registered, shared by the API replicas (default: this process only). */
  deviceIdClaims?: DeviceIdClaims;
  /** The MQTT gateway of this process, told of revocations the registry appends here (see below). */
  broker?: DeviceGateway;
  /** Webhook endpoints and their delivery logs, for `/webhooks`. */
  webhooks?: Webhooks;
  /** The firmware store and download signer, for `/firmware`. */
  firmware?: Firmware;
  /** Camera adapters, for `/cameras` (issue 19). */
  cameras?: Cameras;
  /** Unhandled errors, lost audit rows, readiness failures; requests at `debug`. */
  logger?: Logger;
}

export function apiDeps(config: AiotConfig, engines: ApiEngines): AppDeps {
  return {
    readiness: engines.readiness,
    readModels: engines.readModels,
    timeseries: engines.timeseries,
    users: engines.users,
    topics: engines.topics,
    appendEvents: (topic, events) => appendAndRevoke(engines, topic, events),
    hashSecret,
    hashPassword,
    verifySecret,
    generateToken,
    ...(engines.brokerAccounts ? { brokerAccounts: engines.brokerAccounts } : {}),
    ...(engines.deviceIdClaims ? { deviceIdClaims: engines.deviceIdClaims } : {}),
    security: config.security,
    ...(engines.logger ? { logger: engines.logger.child("api") } : {}),
    readLog: (topic, options) => readEvents(engines.log, topic, options),
    latenessMs: config.latenessMs,
    exportLog: logExportSource(engines.log),
    exportMaxEvents: config.exportMaxEvents,
    ...(config.retention ? { retention: retentionReporter(config, engines) } : {}),
    ...(engines.instrumentation
      ? instrumentedApi(engines.instrumentation, engines.live, engines.logger?.child("http"))
      : {}),
    ...(engines.live ? { live: (request) => engines.live!.open(request) } : {}),
    ...(engines.webhooks
      ? {
        webhooks: {
          store: engines.webhooks.store,
          secrets: engines.webhooks.secrets,
          checkUrl: engines.webhooks.checkUrl,
        },
      }
      : {}),
    ...(engines.cameras
      ? {
        cameras: {
          secrets: engines.cameras.secrets,
          checkUrl: engines.cameras.checkUrl,
          media: engines.cameras.hls,
          ...(engines.cameras.whep ? { whep: engines.cameras.whep } : {}),
          ...(engines.cameras.config.push ? { pushUrl: engines.cameras.config.push.publicUrl } : {}),
        },
      }
      : {}),
    ...(engines.firmware
      ? {
        firmware: {
          store: engines.firmware.store,
          signer: engines.firmware.signer,
          maxBytes: engines.firmware.maxBytes,
        },
      }
      : {}),
  };
}

/**
 * Appends; a rotation or decommissioning on the device topic then reaches this process's gateway
 * at once, before the route waits for the read models: gateway-control sees it later, and the
 * device it drops would meanwhile reconnect with its old token.
 */
async function appendAndRevoke(engines: ApiEngines, topic: string, events: DomainEvent[]) {
  // Events the API makes carry the request's span (HTTP middleware) as their creation context.
  const traceparent = tracingEnabled() ? activeTraceparent() : undefined;
  const traced = traceparent ? stampTraceparent(events, traceparent) : events;
  const acks = await engines.log.append(topic, traced.map(toLogMessage));
  if (engines.broker && topic === engines.topics.device) applyRevocations(engines.broker, events);
  return acks;
}

/**
 * Creates `admin` on first start: with AIOT_ADMIN_PASSWORD, or a generated password printed once,
 * as a `warn` line of the process's log (stderr) — the one secret a log line carries on purpose:
 * the operator must see it, and it is written once, before anyone could have changed it.
 */
export async function ensureAdminUser(
  config: AiotConfig,
  users: UserStore,
  logger: Logger = createLogger(),
): Promise<void> {
  const admin = await ensureAdmin(users, {
    ...(config.adminPassword ? { password: config.adminPassword } : {}),
    hashSecret: hashPassword,
    generatePassword: generateToken,
  });
  if (admin.generatedPassword) {
    logger.child("bootstrap").warn(
      `Created user "admin" with password ${admin.generatedPassword} (shown once: change it)`,
    );
  }
}

function instrumentedApi(
  instrumentation: Instrumentation,
  live?: LiveHub,
  logger?: Logger,
): Pick<AppDeps, "metrics" | "observeRequest"> {
  const { metrics } = instrumentation;
  if (live) {
    metrics.gauge("aiot_sse_clients", "Open SSE streams.", () => [{ labels: {}, value: live.clients() }]);
  }
  return {
    metrics: () => metrics.render(),
    observeRequest: ({ method, route, status, durationMs }) => {
      metrics.observe("aiot_http_request_duration_seconds", "HTTP request latency.", {
        method,
        route,
        status: String(status),
      }, durationMs / 1000);
      // The route pattern, never the URL (a query may carry a signature) nor any header.
      logger?.debug("request", { method, route, status, ms: Math.round(durationMs * 10) / 10 });
    },
  };
}
