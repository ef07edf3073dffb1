/**
 * The embedded DeviceGateway (design §4, §6): an in-process aedes broker on MQTT (TCP), MQTTS
 * (TLS, optionally with client certificates) and MQTT over WebSocket, which authenticates
 * devices, confines each to `devices/{its id}/…`, turns every uplink into events on the log
 * before acknowledging it, tells devices about rejected uplinks, records connects and
 * disconnects, and publishes downlinks.
 *
 * Uplinks are never forwarded to other MQTT clients: devices receive only what the platform
 * publishes to them (commands, desired state, OTA, errors).
 *
 * Every connection, on every transport, is admitted against the connection caps, reads
 * through a packet size limit that is raised only once the device has authenticated, and is held
 * to a maximum keepalive (`broker_limits.ts`).
 */
import { hostKey } from "../../core/client_host.ts";
import { Aedes, type Client } from "aedes";
import { Buffer } from "node:buffer";
import type net from "node:net";
import type { Duplex } from "node:stream";
import type { DeviceGateway, DownlinkSuffix } from "../../core/gateway/device_gateway.ts";
import type { Revocation } from "../../core/gateway/revocation.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import type { Logger } from "../../core/logging/mod.ts";
import { createLogger } from "../logging/mod.ts";
import { type BrokerLimits, DEFAULT_BROKER_LIMITS } from "./broker_limits.ts";
import {
  acceptWebSocket,
  type ConnectionSink,
  listen,
  mqttServer,
  mqttsServer,
} from "./broker_transports.ts";
import { createConnectionAdmission } from "./connection_admission.ts";
import { DEVICE_ID_PATTERN, mayPublish, maySubscribe } from "./device_acl.ts";
import { createDeviceAuthenticator } from "./device_auth.ts";
import type { DeviceDirectory } from "./device_directory.ts";
import { DeviceSessions } from "./device_sessions.ts";
import { createGroupCommitAppender, type GroupCommitOptions } from "./group_commit.ts";
import { IntakeGate, type IntakeGateOptions } from "./intake_gate.ts";
import { limitKeepalive } from "./keepalive_limit.ts";
import { createLifecycleRecorder } from "./lifecycle_events.ts";
import { PacketSizeLimit } from "./packet_size_limit.ts";
import { createQos2IngestOnce } from "./qos2_ingest_once.ts";
import { limitSessions, type SessionPersistence } from "./session_limits.ts";
import { createUplinkIntake, type IngestUplink } from "./uplink_intake.ts";
import { tracedDownlink } from "./downlink_span.ts";

export interface EmbeddedBrokerOptions {
  log: EventLog;
  /** Topic prefix of the event log, e.g. `aiot.`. */
  topicPrefix: string;
  directory: DeviceDirectory;
  /** The uplink parser: `ingestUplink` from `processors/ingest`, bound to its limits and clock. */
  ingest: IngestUplink;
  /** Plain MQTT port; `0` picks a free one, `null` disables it. Default 1883. */
  mqttPort?: number | null;
  /** Default `0.0.0.0`. */
  host?: string;
  /** MQTTS; with `ca`, devices may authenticate with a certificate signed by it (CN = device id). */
  tls?: { port: number; key: string; cert: string; ca?: string };
  /** Clock for connect/disconnect events. Default `Date.now`. */
  now?: () => number;
  groupCommit?: GroupCommitOptions;
  /** Bound on uplinks held in memory across connections (see intake_gate.ts). */
  intake?: IntakeGateOptions;
  /** Verifies a token against its stored hash; default scrypt `verifySecret`. */
  verifyToken?: (token: string, stored: { algorithm: string; hash: string }) => Promise<boolean>;
  /** Infrastructure failures (log appends that cannot be reported to a device). Default: `logger.error`. */
  onError?: (message: string, error: unknown) => void;
  /** Refused logins (debug) and infrastructure failures. Default: JSON lines on stderr. */
  logger?: Logger;
  /** Connection caps, packet sizes, CONNECT timeout; each defaults to `DEFAULT_BROKER_LIMITS`. */
  limits?: Partial<BrokerLimits>;
}

export type { BrokerLimits, DownlinkSuffix };

export interface EmbeddedBroker extends DeviceGateway {
  /** Bound ports (useful with port 0). */
  readonly mqttPort: number | undefined;
  readonly tlsPort: number | undefined;
  /** Publishes JSON to `devices/{deviceId}/{suffix}`; resolves once handed to the device's subscriptions. */
  publishToDevice(deviceId: string, suffix: DownlinkSuffix, payload: object, qos?: 0 | 1): Promise<void>;
  /** Closes every connection of the device; `reason` goes into `device.disconnected`. */
  disconnectDevice(deviceId: string, reason: string): number;
  /**
   * Forgets remembered token verifications (call on token rotation and decommissioning); with
   * `revocation`, refuses what it revoked until the directory shows it.
   */
  forgetDevice(deviceId: string, revocation?: Revocation): void;
  /** Devices with at least one live connection. */
  connectedDevices(): number;
  /** True while the device has at least one live connection. */
  isConnected(deviceId: string): boolean;
  /** For `Deno.serve`: upgrades to MQTT over WebSocket (subprotocol `mqtt`), or answers 426. */
  handleWebSocket(request: Request, info?: { remoteAddr: Deno.NetAddr }): Response;
  /** Stops listening, disconnects everyone, waits for pending appends. Leaves the log open. */
  close(): Promise<void>;
}

export async function createEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const logger = options.logger ?? createLogger().child("mqtt");
  const onError = options.onError ?? ((message, error) => logger.error(message, { error }));
  const sessions = new DeviceSessions();
  const auth = createDeviceAuthenticator(options.directory, {
    ...(options.verifyToken ? { verify: options.verifyToken } : {}),
  });
  // The gate reads the appender's backlog, and each settled batch may open it.
  const appender = createGroupCommitAppender(options.log, {
    ...options.groupCommit,
    onSettled: () => gate.settled(),
  });
  const gate = new IntakeGate(() => appender.pending, options.intake);
  const lifecycle = createLifecycleRecorder({
    appender,
    topicPrefix: options.topicPrefix,
    onError,
    now: options.now,
  });
  const limits: BrokerLimits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
  const admission = createConnectionAdmission(limits);
  const packetLimits = new WeakMap<Duplex, PacketSizeLimit>();
  const aedes = new Aedes({ drainTimeout: 30_000, connectTimeout: limits.connectTimeoutMs });

  function publishToDevice(deviceId: string, suffix: string, payload: object, qos: 0 | 1 = 1): Promise<void> {
    if (!DEVICE_ID_PATTERN.test(deviceId)) {
      throw new RangeError(`Cannot publish to device "${deviceId}": invalid id`);
    }
    if (!suffix || /[+#]/.test(suffix)) {
      throw new RangeError(`Cannot publish to "${suffix}": invalid topic suffix`);
    }
    const packet = {
      cmd: "publish" as const,
      topic: `devices/${deviceId}/${suffix}`,
      payload: Buffer.from(JSON.stringify(payload)),
      qos,
      retain: false,
      dup: false,
    };
    // A span in a traced operation; aedes 1.2 speaks MQTT 3.1.1 only, so no `traceparent` user
    // property reaches the device (the external MQTT 5 broker mode sends one).
    return tracedDownlink(
      packet.topic,
      () =>
        new Promise((resolve, reject) => aedes.publish(packet, (error) => error ? reject(error) : resolve())),
    );
  }

  const intake = createUplinkIntake({
    ingest: options.ingest,
    appender,
    topicPrefix: options.topicPrefix,
    sendNotice: (deviceId, notice) =>
      publishToDevice(deviceId, "errors", notice, 1).catch((error) => onError("cannot send a notice", error)),
  });

  aedes.authenticate = (client, username, password, done) => {
    const transport = sessions.transportOf(client);
    const outcome = transport.certificateCN
      ? auth.withCertificate(transport.certificateCN, username)
      : auth.withToken(username, password, transport.remoteAddress);
    outcome.then((result) => {
      if (result.ok) {
        sessions.bind(client, result.deviceId, result.method === "certificate");
        const packetLimit = packetLimits.get(client.conn);
        if (packetLimit) packetLimit.maxBytes = limits.maxPacketBytes;
        return done(null, true);
      }
      // The reason stays on the server (it may say more than a device should learn). Never the password.
      logger.debug("device login refused", {
        deviceId: username,
        clientId: client.id,
        reason: result.reason,
        address: transport.remoteAddress,
      });
      const error = Object.assign(new Error(result.reason), { returnCode: result.returnCode });
      done(error as Parameters<typeof done>[0], false);
    }, (error) => done(Object.assign(new Error(String(error)), { returnCode: 3 }) as never, false));
  };

  // aedes creates its persistence in listen() and leaves it untyped.
  const persistence = () =>
    (aedes as unknown as { persistence: SessionPersistence & IncomingStore }).persistence;
  // The incoming store's lookup rejects for an id it does not hold.
  const qos2 = createQos2IngestOnce<Client>((client, messageId) =>
    persistence().incomingGetPacket(client, { messageId }).then(() => true, () => false)
  );

  aedes.authorizePublish = (client, packet, callback) => {
    const session = sessions.sessionOf(client);
    if (!client || !session) return callback(new Error("publish refused: client is not authenticated"));
    if (!mayPublish(session.deviceId, packet.topic)) {
      sessions.markClosing(client, `not_authorized: publish to "${packet.topic.slice(0, 200)}"`);
      return callback(new Error("publish refused: outside the device's topics"));
    }
    // Retained uplinks would pile up in broker memory for nobody: uplinks are not forwarded.
    packet.retain = false;
    // Marks it as a device's before aedes copies it into the queues of persistent sessions
    // subscribed to its topic (the device's own, under other client ids): the copy keeps
    // `clientId`, so it is not queued (`limitSessions`) and never delivered (`authorizeForward`).
    (packet as { clientId?: string }).clientId = client.id;
    const ingest = (done: (error: Error | null) => void) =>
      intake(
        {
          deviceId: session.deviceId,
          clientId: session.clientId,
          topic: packet.topic,
          payload: packet.payload as Uint8Array,
          qos: packet.qos,
        },
        done,
        (error) => {
          onError("a QoS 0 uplink could not be appended", error);
          sessions.markClosing(client, `log_unavailable: ${error.message}`);
          client.close();
        },
      );
    const done = (error: Error | null) => {
      if (error) sessions.markClosing(client, `log_unavailable: ${error.message}`);
      callback(error);
    };
    // A will message has no packet id; only a PUBLISH from the wire can be a retransmission.
    if (packet.qos === 2 && packet.messageId !== undefined) {
      qos2.receive(client, packet.messageId, ingest, done);
    } else ingest(done);
  };

  // Runs once aedes has stored a QoS 2 packet: from then on its store recognises copies.
  aedes.published = (packet, client, callback) => {
    const { messageId } = packet as { messageId?: number };
    if (client && packet.qos === 2 && messageId !== undefined) qos2.stored(client, messageId);
    callback(null);
  };

  aedes.authorizeSubscribe = (client, subscription, callback) => {
    const session = sessions.sessionOf(client);
    callback(null, session && maySubscribe(session.deviceId, subscription.topic) ? subscription : null);
  };

  // Only the platform's own publishes (no client id) reach devices; uplinks go to the log only.
  aedes.authorizeForward = (_client, packet) => ((packet as { clientId?: string }).clientId ? null : packet);

  // aedes 1.2 loses track of clients that share a client id and connect at the same time: one that
  // closes between authentication and registration unregisters whichever client holds the id, so
  // that one never gets `clientDisconnect`, and a client that closed during its own registration
  // still gets `clientReady`. Its closed stream is what tells that a client is gone.
  const gone = new WeakSet<Client>();
  aedes.on("clientReady", (client) => {
    if ((client as unknown as { closed: boolean }).closed) return;
    limitKeepalive(aedes, client, limits.maxKeepaliveSeconds);
    const session = sessions.ready(client);
    if (session) lifecycle.connected(session);
    sessionLimits.connected(client.id);
    client.conn.once("close", () => clientGone(client));
  });
  aedes.on("clientDisconnect", (client) => clientGone(client));
  function clientGone(client: Client): void {
    if (gone.has(client)) return;
    gone.add(client);
    const session = sessions.gone(client);
    const clean = (client as unknown as { _disconnected?: boolean })._disconnected;
    if (!session) return;
    lifecycle.disconnected(session, clean ? "client_disconnect" : "connection_lost");
    sessionLimits.disconnected(session.deviceId, client.id, client.clean);
  }
  aedes.on("keepaliveTimeout", (client) => sessions.markClosing(client, "keepalive_timeout"));
  aedes.on("clientError", (client, error) => sessions.markClosing(client, `client_error: ${error.message}`));

  await aedes.listen();
  const sessionLimits = limitSessions(persistence(), limits, {
    onError,
    // Only the platform's own publishes (no client id) are for devices, as in `authorizeForward`.
    queueable: (packet) => !(packet as { clientId?: string }).clientId,
  });

  const sink: ConnectionSink = {
    gate,
    // Per host: an IPv6 client counts by its /64, as failed logins do.
    admit: (address) => admission.admit(address === undefined ? undefined : hostKey(address)),
    serve(open, transport) {
      // Small until the device has authenticated (see `aedes.authenticate`).
      const packetLimit = new PacketSizeLimit(limits.maxConnectPacketBytes);
      const stream = open(packetLimit);
      packetLimits.set(stream, packetLimit);
      sessions.accept(stream, transport);
      aedes.handle(stream);
      return stream;
    },
  };

  const host = options.host ?? "0.0.0.0";
  const servers: net.Server[] = [];
  let mqttPort: number | undefined;
  let tlsPort: number | undefined;
  try {
    if (options.mqttPort !== null) {
      const server = mqttServer(sink);
      servers.push(server);
      mqttPort = await listen(server, options.mqttPort ?? 1883, host);
    }
    if (options.tls) {
      const server = mqttsServer(sink, { ...options.tls, handshakeTimeoutMs: limits.connectTimeoutMs });
      servers.push(server);
      tlsPort = await listen(server, options.tls.port, host);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  /**
   * The platform is closing the connection (a revocation): the device did not lose it, so its will
   * would tell nobody anything true, and a revoked device must not get one last uplink in through
   * it. aedes publishes `client.will` on any close without DISCONNECT, and keeps a stored copy.
   */
  function dropWill(client: Client): void {
    const withWill = client as unknown as { will: unknown };
    if (!withWill.will) return;
    withWill.will = null;
    persistence().delWill({ id: client.id, brokerId: aedes.id }).catch(() => {});
  }

  async function closeAll(): Promise<void> {
    const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const client of sessions.allClients()) sessions.markClosing(client, "server_shutdown");
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    sessionLimits.close();
    for (const stream of sessions.streams) stream.destroy();
    await Promise.all(closed);
    await appender.flush();
  }

  return {
    mqttPort,
    tlsPort,
    publishToDevice,
    disconnectDevice(deviceId, reason) {
      const clients = sessions.clientsOf(deviceId);
      for (const client of clients) {
        sessions.markClosing(client, reason);
        dropWill(client);
        client.close();
      }
      return clients.length;
    },
    forgetDevice: (deviceId, revocation) => auth.forgetDevice(deviceId, revocation),
    connectedDevices: () => sessions.deviceCount,
    isConnected: (deviceId) => sessions.clientsOf(deviceId).length > 0,
    handleWebSocket: (request, info) => acceptWebSocket(sink, request, info),
    close: closeAll,
  };
}

interface IncomingStore {
  incomingGetPacket(client: Client, packet: { messageId: number }): Promise<unknown>;
  delWill(client: { id: string; brokerId: string }): Promise<unknown>;
}
