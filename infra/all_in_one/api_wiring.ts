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
    readLog: (topic, options) => readEvents(engines.log, topic, options),
    latenessMs: config.latenessMs,
    exportLog: logExportSource(engines.log),
    exportMaxEvents: config.exportMaxEvents,
    ...(engines.instrumentation ? instrumentedApi(engines.instrumentation, engines.live) : {}),
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
  const acks = await engines.log.append(topic, events.map(toLogMessage));
  if (engines.broker && topic === engines.topics.device) applyRevocations(engines.broker, events);
  return acks;
}

/** Creates `admin` on first start: with AIOT_ADMIN_PASSWORD, or a generated password printed once. */
export async function ensureAdminUser(config: AiotConfig, users: UserStore): Promise<void> {
  const admin = await ensureAdmin(users, {
    ...(config.adminPassword ? { password: config.adminPassword } : {}),
    hashSecret: hashPassword,
    generatePassword: generateToken,
  });
  if (admin.generatedPassword) {
    console.error(`Created user "admin" with password ${admin.generatedPassword} (shown once: change it)`);
  }
}

function instrumentedApi(
  instrumentation: Instrumentation,
  live?: LiveHub,
): Pick<AppDeps, "metrics" | "observeRequest"> {
  const { metrics } = instrumentation;
  if (live) {
    metrics.gauge("aiot_sse_clients", "Open SSE streams.", () => [{ labels: {}, value: live.clients() }]);
  }
  return {
    metrics: () => metrics.render(),
    observeRequest: ({ method, route, status, durationMs }) =>
      metrics.observe("aiot_http_request_duration_seconds", "HTTP request latency.", {
        method,
        route,
        status: String(status),
      }, durationMs / 1000),
  };
}
