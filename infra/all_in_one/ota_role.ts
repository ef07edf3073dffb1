/**
 * The `ota` role: the ota processor on the generic runner, its state in the processor state store
 * (shared with `rules`, keyed by processor name), its timeouts and health windows ticking once a
 * second. Downlinks go through the gateway of this process when it has one; in external broker
 * mode (`AIOT_MQTT_URL`, compose) a process without the gateway role publishes them with an MQTT
 * client of its own, which the broker queues for devices with a persistent session.
 *
 * One instance per deployment: campaigns span devices, so the processor keeps every campaign and
 * job of its group in one state (like `rules`); a second instance would wait in the consumer group.
 */
import mqtt from "mqtt";
import { Buffer } from "node:buffer";
import type { TopicNames } from "../../core/events/topics.ts";
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import type { ProcessorStateStore } from "../../core/processing/state_store.ts";
import type { RunningProcessor } from "../../core/processing/runner.ts";
import { type DownloadUrlFor, otaProcessor } from "../../processors/ota/mod.ts";
import type { Instrumentation } from "./instrumentation.ts";
import { runSupervised } from "./supervised.ts";

export interface OtaRole {
  processor: RunningProcessor;
  /** Closes what the role opened itself (its own MQTT publisher). */
  close(): Promise<void>;
}

/** A publish-only gateway on an external broker: `isConnected` is true (the broker queues). */
async function externalDownlinks(
  url: string,
  clientId: string,
): Promise<DeviceGateway & { close(): Promise<void> }> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId,
    clean: true,
    reconnectPeriod: 1000,
  });
  return {
    publishToDevice: (deviceId, suffix, payload, qos = 1) =>
      client.publishAsync(`devices/${deviceId}/${suffix}`, Buffer.from(JSON.stringify(payload)), { qos })
        .then(() => undefined),
    isConnected: () => true,
    disconnectDevice: () => 0,
    forgetDevice: () => {},
    close: () => client.endAsync(),
  };
}

export async function startOta(
  { log, topics, state, instrumentation, gateway, mqttUrl, clientId, downloadUrlFor }: {
    log: EventLog;
    topics: TopicNames;
    state: ProcessorStateStore;
    instrumentation: Instrumentation;
    /** The gateway of this process (gateway role), if any. */
    gateway: DeviceGateway | undefined;
    /** `AIOT_MQTT_URL`, for a process without the gateway role. */
    mqttUrl: string | undefined;
    clientId: string;
    downloadUrlFor: DownloadUrlFor;
  },
): Promise<OtaRole> {
  const own = gateway ? undefined : mqttUrl ? await externalDownlinks(mqttUrl, `${clientId}-ota`) : undefined;
  const downlinks = gateway ?? own;
  if (!downlinks) {
    throw new TypeError(
      "Cannot start the ota role: it needs the gateway role in the same process or AIOT_MQTT_URL",
    );
  }
  const ota = otaProcessor({
    topics,
    state,
    gateway: downlinks,
    downloadUrlFor,
    logger: instrumentation.logger.child("ota"),
  });
  instrumentation.metrics.gauge(
    "aiot_ota",
    "OTA campaigns, jobs and jobs not settled in the ota processor.",
    () => {
      const { campaigns, jobs, active } = ota.size();
      return [
        { labels: { kind: "campaigns" }, value: campaigns },
        { labels: { kind: "jobs" }, value: jobs },
        { labels: { kind: "active" }, value: active },
      ];
    },
  );
  return {
    processor: runSupervised(ota, {
      log,
      hooks: instrumentation.hooks,
      logger: instrumentation.logger,
      dlqTopic: topics.dlq,
      tickIntervalMs: 1000,
    }),
    close: async () => await own?.close(),
  };
}
