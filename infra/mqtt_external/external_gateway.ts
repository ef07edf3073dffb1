/**
 * External broker mode (design §6, `AIOT_MQTT_URL`): devices connect to an MQTT broker run by
 * the operator (Mosquitto, see `infra/deploy/mosquitto/`), which authenticates them and confines
 * each to `devices/{its id}/…` with its ACL. This gateway is one ingest replica: an `npm:mqtt`
 * MQTT 5 client with a persistent session (`clean: false` + session expiry) subscribed with
 * QoS 1 to the uplink topics through the shared subscription `$share/{group}/…`, so several
 * replicas split the load and messages published while every replica is away wait in the
 * broker.
 *
 * Acknowledgement after the append, pipelined: mqtt.js handles incoming packets one at a time
 * and sends a QoS 1 PUBACK (through its private `_sendPacket`, mqtt 5.16.0 `handlers/publish.js`)
 * after `client.handleMessage(packet, callback)` called back, and parses the next packet only once
 * that PUBACK is written. Waiting for the append inside `handleMessage` would thus append one
 * message per group commit (~150 msg/s per replica, measured). Instead `handleMessage` hands the
 * uplink to the intake and calls back at once, and the PUBACK of that message id is held back in
 * `_sendPacket` until the events (or the `input.rejected` dead letter) are durable in the log and
 * every earlier PUBACK went out (MQTT §4.6: acknowledgements in the order received). So many
 * messages share a group commit, and a PUBACK still means "in the log". The broker sends at most
 * `receiveMaximum` unacknowledged messages (MQTT 5 flow control), which bounds the pipeline. QoS 0
 * uplinks get TCP backpressure once too many wait for the log. When an append fails, the message
 * and all after it stay unacknowledged and the connection is dropped, so the broker redelivers
 * them after the reconnect (at least once: a redelivery may duplicate an event).
 *
 * As a DeviceGateway it publishes downlinks on `devices/{id}/{suffix}`. The broker does not
 * tell its clients who is connected, so `isConnected` always answers true (downlinks are
 * published and the broker queues them for devices with a persistent session), no
 * `device.connected` / `device.disconnected` events are recorded, and `disconnectDevice` /
 * `forgetDevice` act only through the optional dynamic-security `provisioner`
 * (decommissioning disables the device's broker client, which also closes its connections).
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import { Buffer } from "node:buffer";
import type { BrokerAccounts } from "../../core/devices/broker_accounts.ts";
import type { DeviceGateway, DownlinkSuffix } from "../../core/gateway/device_gateway.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { tracingEnabled } from "../../core/tracing/mod.ts";
import type { Logger } from "../../core/logging/mod.ts";
import { createLogger } from "../logging/mod.ts";
import { DEVICE_ID_PATTERN } from "../mqtt/device_acl.ts";
import { createGroupCommitAppender, type GroupCommitOptions } from "../mqtt/group_commit.ts";
import { createUplinkIntake, type IngestUplink } from "../mqtt/uplink_intake.ts";
import { tracedDownlink } from "../mqtt/downlink_span.ts";

/** The uplink topics a device publishes on (design §6), below `devices/{id}/`. */
export const UPLINK_SUFFIXES = [
  "telemetry",
  "events",
  "state/reported",
  "commands/+/ack",
  "ota/status",
] as const;

/** What the gateway needs of the broker's device accounts (`dynsec_provisioner.ts`). */
export type BrokerAccountControl = Pick<BrokerAccounts, "disableDevice">;

export interface ExternalBrokerGatewayOptions {
  /** `mqtt://user:password@host:1883` or `mqtts://…`. */
  url: string;
  log: EventLog;
  /** Topic prefix of the event log, e.g. `aiot.`. */
  topicPrefix: string;
  /** The uplink parser: `ingestUplink` from `processors/ingest` (passed in by the composition root). */
  ingest: IngestUplink;
  /** Stable per replica: the persistent session (and what waits in it) belongs to this id. */
  clientId: string;
  /** Replicas with the same group split the uplinks. Default `aiot-ingest`. */
  shareGroup?: string;
  username?: string;
  password?: string;
  /** How long the broker keeps the session (and queues uplinks) while this replica is away. Default 7 days. */
  sessionExpirySeconds?: number;
  groupCommit?: GroupCommitOptions;
  /** More npm:mqtt options (TLS files, keepalive, …). */
  mqttOptions?: IClientOptions;
  /** Decommissioning through the broker's dynamic security; without it `disconnectDevice` does nothing. */
  provisioner?: BrokerAccountControl;
  /** How long `createExternalBrokerGateway` waits for the first connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** Infrastructure failures. Default: `logger.error`. */
  onError?: (message: string, error: unknown) => void;
  /** Default: JSON lines on stderr. */
  logger?: Logger;
}

export interface ExternalBrokerGateway extends DeviceGateway {
  /** The underlying client (tests, metrics). */
  readonly client: MqttClient;
  /** Uplinks appended (accepted or dead-lettered) by this replica since it started. */
  readonly handled: number;
  /** Stops taking uplinks, waits for pending appends and disconnects; the session stays in the broker. */
  close(): Promise<void>;
}

const UNTRACED: { traceparent?: string } = Object.freeze({});

/**
 * The device's `traceparent` MQTT 5 user property (the first, when repeated), to continue its
 * trace; read only while tracing is on.
 */
function traceparentOf(packet: IPublishPacket): { traceparent?: string } {
  if (!tracingEnabled()) return UNTRACED;
  const value = packet.properties?.userProperties?.["traceparent"];
  const traceparent = Array.isArray(value) ? value[0] : value;
  return typeof traceparent === "string" ? { traceparent } : UNTRACED;
}

/** Device id of `devices/{id}/…`, or undefined. */
function deviceIdOf(topic: string): string | undefined {
  const [root, id] = topic.split("/", 2);
  return root === "devices" && id && DEVICE_ID_PATTERN.test(id) ? id : undefined;
}

export async function createExternalBrokerGateway(
  options: ExternalBrokerGatewayOptions,
): Promise<ExternalBrokerGateway> {
  const logger = options.logger ?? createLogger().child("mqtt-external");
  const onError = options.onError ?? ((message, error) => logger.error(message, { error }));
  const shareGroup = options.shareGroup ?? "aiot-ingest";
  const appender = createGroupCommitAppender(options.log, options.groupCommit);
  let handled = 0;
  let closing = false;

  const client = mqtt.connect(options.url, {
    protocolVersion: 5,
    clientId: options.clientId,
    clean: false,
    properties: {
      sessionExpiryInterval: options.sessionExpirySeconds ?? 7 * 24 * 3600,
      // Unacknowledged QoS 1 messages the broker may send: the depth of the append pipeline.
      receiveMaximum: 4096,
    },
    reconnectPeriod: 1_000,
    connectTimeout: 10_000,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...options.mqttOptions,
  });

  function publishToDevice(deviceId: string, suffix: DownlinkSuffix, payload: object, qos: 0 | 1 = 1) {
    if (!DEVICE_ID_PATTERN.test(deviceId)) {
      return Promise.reject(new RangeError(`Cannot publish to device "${deviceId}": invalid id`));
    }
    if (!suffix || /[+#]/.test(suffix)) {
      return Promise.reject(new RangeError(`Cannot publish to "${suffix}": invalid topic suffix`));
    }
    const topic = `devices/${deviceId}/${suffix}`;
    // In a traced operation the device gets its `traceparent` (MQTT 5 user property) to echo back.
    return tracedDownlink(
      topic,
      (traceparent) =>
        client.publishAsync(topic, Buffer.from(JSON.stringify(payload)), {
          qos,
          ...(traceparent ? { properties: { userProperties: { traceparent } } } : {}),
        }).then(() => undefined),
    );
  }

  const intake = createUplinkIntake({
    ingest: options.ingest,
    appender,
    topicPrefix: options.topicPrefix,
    sendNotice: (deviceId, notice) => {
      // Never throws: a failed notice must not hold back the acknowledgement of a durable dead letter.
      publishToDevice(deviceId, "errors", notice, 1).catch((error) => onError("cannot send a notice", error));
    },
  });

  /** Drops the connection without acknowledging, so the broker redelivers what is unacknowledged. */
  function dropConnection(reason: string, error: Error) {
    onError(`${reason}; reconnecting for redelivery`, error);
    client.stream?.destroy();
  }

  /** PUBACKs held back until their message is durable, by message id (see the module comment). */
  const heldAcks = new Map<number, Promise<void>>();
  /** Settles after the last held PUBACK: each one waits for those before it. */
  let ackOrder: Promise<void> = Promise.resolve();
  /** Bumped when the connection closes: PUBACKs of an old connection must not go out on a new one. */
  let connection = 0;
  client.on("close", () => {
    connection++;
    heldAcks.clear();
    ackOrder = Promise.resolve();
  });
  const internals = client as unknown as {
    _sendPacket(
      packet: { cmd: string; messageId?: number },
      cb?: (error?: Error) => void,
      ...rest: unknown[]
    ): void;
  };
  const sendPacket = internals._sendPacket.bind(client);
  internals._sendPacket = (packet, cb, ...rest) => {
    const durable = packet.cmd === "puback" && packet.messageId !== undefined
      ? heldAcks.get(packet.messageId)
      : undefined;
    if (!durable) return sendPacket(packet, cb, ...rest);
    heldAcks.delete(packet.messageId!);
    const sentOn = connection;
    cb?.(); // lets mqtt.js parse the next packet now
    durable.then(() => {
      if (sentOn !== connection) return; // the broker redelivers it on the new connection
      handled++;
      sendPacket(packet, undefined, ...rest);
    }, () => {}); // the failure already dropped the connection
  };

  client.handleMessage = (packet: IPublishPacket, callback) => {
    const topic = packet.topic;
    const deviceId = deviceIdOf(topic);
    if (closing) return; // no callback, no PUBACK: the broker redelivers to a replica that stays.
    if (!deviceId) {
      // The broker's ACL keeps devices under their own id; anything else is not an uplink.
      onError(`ignored a message on "${topic.slice(0, 200)}"`, new Error("not a device topic"));
      return callback();
    }
    const payload = typeof packet.payload === "string"
      ? new TextEncoder().encode(packet.payload)
      : new Uint8Array(packet.payload.buffer, packet.payload.byteOffset, packet.payload.byteLength);
    const uplink = { deviceId, topic, payload, qos: packet.qos, ...traceparentOf(packet) };
    const lateFailure = (error: Error) => onError("a QoS 0 uplink could not be appended", error);
    if (packet.qos === 0 || packet.messageId === undefined) {
      return intake(uplink, (error) => {
        if (error) {
          dropConnection("an uplink could not be appended", error);
          return callback(error);
        }
        handled++;
        callback();
      }, lateFailure);
    }
    const durable = new Promise<void>((resolve, reject) =>
      intake(uplink, (error) => error ? reject(error) : resolve(), lateFailure)
    );
    const sentOn = connection;
    durable.catch((error) => {
      if (sentOn === connection) dropConnection("an uplink could not be appended", error);
    });
    ackOrder = ackOrder.then(() => durable);
    heldAcks.set(packet.messageId, ackOrder);
    callback();
  };

  client.on("error", (error) => onError("client error", error));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`cannot connect to the MQTT broker at ${redact(options.url)}`));
    }, options.connectTimeoutMs ?? 10_000);
    client.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const filters = UPLINK_SUFFIXES.map((suffix) => `$share/${shareGroup}/devices/+/${suffix}`);
  const granted = await client.subscribeAsync(filters, { qos: 1 });
  const refused = granted.filter((g) => g.qos > 2);
  if (refused.length > 0) {
    client.end(true);
    throw new Error(`the broker refused the subscriptions ${refused.map((g) => g.topic).join(", ")}`);
  }

  return {
    client,
    get handled() {
      return handled;
    },
    publishToDevice,
    isConnected: () => true,
    disconnectDevice(deviceId, reason) {
      if (reason === "decommissioned" && options.provisioner) {
        options.provisioner.disableDevice(deviceId).catch((error) =>
          onError(`cannot disable ${deviceId} in the broker`, error)
        );
      }
      return 0;
    },
    forgetDevice: () => {},
    async close() {
      closing = true;
      await appender.flush();
      await client.endAsync();
    },
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = parsed.password ? "***" : "";
    return parsed.toString();
  } catch {
    return "(invalid url)";
  }
}
