/**
 * The embedded DeviceGateway (design §4, §6): an in-process aedes broker on MQTT (TCP), MQTTS
 * (TLS, optionally with client certificates) and MQTT over WebSocket, which authenticates
 * devices, confines each to `devices/{its id}/…`, turns every uplink into events on the log
 * before acknowledging it, tells devices about rejected uplinks, records connects and
 * disconnects, and publishes downlinks.
 *
 * Uplinks are never forwarded to other MQTT clients: devices receive only what the platform
 * publishes to them (commands, desired state, OTA, errors).
 */
import { SocketStream } from "./socket_stream.ts";
import { Aedes } from "aedes";
import { Buffer } from "node:buffer";
import net from "node:net";
import tls from "node:tls";
import type { DeviceGateway, DownlinkSuffix } from "../../core/gateway/device_gateway.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { DEVICE_ID_PATTERN, mayPublish, maySubscribe } from "./device_acl.ts";
import { createDeviceAuthenticator } from "./device_auth.ts";
import type { DeviceDirectory } from "./device_directory.ts";
import { DeviceSessions, type Transport } from "./device_sessions.ts";
import { createGroupCommitAppender, type GroupCommitOptions } from "./group_commit.ts";
import { createLifecycleRecorder } from "./lifecycle_events.ts";
import { createUplinkIntake, type IngestUplink } from "./uplink_intake.ts";
import { webSocketStream } from "./websocket_stream.ts";

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
  /** Verifies a token against its stored hash; default scrypt `verifySecret`. */
  verifyToken?: (token: string, stored: { algorithm: string; hash: string }) => Promise<boolean>;
  /** Infrastructure failures (log appends that cannot be reported to a device). Default `console.error`. */
  onError?: (message: string, error: unknown) => void;
}

export type { DownlinkSuffix };

export interface EmbeddedBroker extends DeviceGateway {
  /** Bound ports (useful with port 0). */
  readonly mqttPort: number | undefined;
  readonly tlsPort: number | undefined;
  /** Publishes JSON to `devices/{deviceId}/{suffix}`; resolves once handed to the device's subscriptions. */
  publishToDevice(deviceId: string, suffix: DownlinkSuffix, payload: object, qos?: 0 | 1): Promise<void>;
  /** Closes every connection of the device; `reason` goes into `device.disconnected`. */
  disconnectDevice(deviceId: string, reason: string): number;
  /** Forgets remembered token verifications (call on token rotation and decommissioning). */
  forgetDevice(deviceId: string): void;
  /** Devices with at least one live connection. */
  connectedDevices(): number;
  /** True while the device has at least one live connection. */
  isConnected(deviceId: string): boolean;
  /** For `Deno.serve`: upgrades to MQTT over WebSocket (subprotocol `mqtt`), or answers 426. */
  handleWebSocket(request: Request, info?: { remoteAddr: Deno.NetAddr }): Response;
  /** Stops listening, disconnects everyone, waits for pending appends. Leaves the log open. */
  close(): Promise<void>;
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

const addressOf = (socket: net.Socket) =>
  socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : undefined;

export async function createEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const onError = options.onError ?? ((message, error) => console.error(`mqtt gateway: ${message}`, error));
  const sessions = new DeviceSessions();
  const auth = createDeviceAuthenticator(options.directory, {
    ...(options.verifyToken ? { verify: options.verifyToken } : {}),
  });
  const appender = createGroupCommitAppender(options.log, options.groupCommit);
  const lifecycle = createLifecycleRecorder({
    appender,
    topicPrefix: options.topicPrefix,
    onError,
    now: options.now,
  });
  const aedes = new Aedes({ drainTimeout: 30_000 });

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
    return new Promise((resolve, reject) =>
      aedes.publish(packet, (error) => error ? reject(error) : resolve())
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
      : auth.withToken(username, password);
    outcome.then((result) => {
      if (result.ok) {
        sessions.bind(client, result.deviceId, result.method === "certificate");
        return done(null, true);
      }
      // The reason stays on the server (it may say more than a device should learn).
      const error = Object.assign(new Error(result.reason), { returnCode: result.returnCode });
      done(error as Parameters<typeof done>[0], false);
    }, (error) => done(Object.assign(new Error(String(error)), { returnCode: 3 }) as never, false));
  };

  aedes.authorizePublish = (client, packet, callback) => {
    const session = sessions.sessionOf(client);
    if (!client || !session) return callback(new Error("publish refused: client is not authenticated"));
    if (!mayPublish(session.deviceId, packet.topic)) {
      sessions.markClosing(client, `not_authorized: publish to "${packet.topic.slice(0, 200)}"`);
      return callback(new Error("publish refused: outside the device's topics"));
    }
    // Retained uplinks would pile up in broker memory for nobody: uplinks are not forwarded.
    packet.retain = false;
    intake(
      {
        deviceId: session.deviceId,
        clientId: session.clientId,
        topic: packet.topic,
        payload: packet.payload as Uint8Array,
        qos: packet.qos,
      },
      (error) => {
        if (error) sessions.markClosing(client, `log_unavailable: ${error.message}`);
        callback(error);
      },
      (error) => {
        onError("a QoS 0 uplink could not be appended", error);
        sessions.markClosing(client, `log_unavailable: ${error.message}`);
        client.close();
      },
    );
  };

  aedes.authorizeSubscribe = (client, subscription, callback) => {
    const session = sessions.sessionOf(client);
    callback(null, session && maySubscribe(session.deviceId, subscription.topic) ? subscription : null);
  };

  // Only the platform's own publishes (no client id) reach devices; uplinks go to the log only.
  aedes.authorizeForward = (_client, packet) => ((packet as { clientId?: string }).clientId ? null : packet);

  aedes.on("clientReady", (client) => {
    const session = sessions.ready(client);
    if (session) lifecycle.connected(session);
  });
  aedes.on("clientDisconnect", (client) => {
    const session = sessions.gone(client);
    const clean = (client as unknown as { _disconnected?: boolean })._disconnected;
    if (session) lifecycle.disconnected(session, clean ? "client_disconnect" : "connection_lost");
  });
  aedes.on("keepaliveTimeout", (client) => sessions.markClosing(client, "keepalive_timeout"));
  aedes.on("clientError", (client, error) => sessions.markClosing(client, `client_error: ${error.message}`));

  await aedes.listen();

  const host = options.host ?? "0.0.0.0";
  const servers: net.Server[] = [];
  let mqttPort: number | undefined;
  let tlsPort: number | undefined;
  try {
    if (options.mqttPort !== null) {
      const server = net.createServer((socket) => {
        const stream = new SocketStream(socket);
        sessions.accept(stream, { protocol: "mqtt", ...withAddress(addressOf(socket)) });
        aedes.handle(stream);
      });
      servers.push(server);
      mqttPort = await listen(server, options.mqttPort ?? 1883, host);
    }
    if (options.tls) {
      const { key, cert, ca, port } = options.tls;
      const server = tls.createServer({
        key,
        cert,
        ...(ca ? { ca, requestCert: true, rejectUnauthorized: false } : {}),
      }, (socket) => {
        const subject = socket.authorized ? socket.getPeerCertificate()?.subject : undefined;
        const cn = typeof subject?.CN === "string" ? subject.CN : undefined;
        const stream = new SocketStream(socket);
        sessions.accept(stream, {
          protocol: "mqtts",
          ...withAddress(addressOf(socket)),
          ...(cn ? { certificateCN: cn } : {}),
        });
        aedes.handle(stream);
      });
      servers.push(server);
      tlsPort = await listen(server, port, host);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  async function closeAll(): Promise<void> {
    const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const client of sessions.allClients()) sessions.markClosing(client, "server_shutdown");
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
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
        client.close();
      }
      return clients.length;
    },
    forgetDevice: (deviceId) => auth.forgetDevice(deviceId),
    connectedDevices: () => sessions.deviceCount,
    isConnected: (deviceId) => sessions.clientsOf(deviceId).length > 0,
    handleWebSocket(request, info) {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return new Response("MQTT over WebSocket: expected a WebSocket upgrade\n", {
          status: 426,
          headers: { upgrade: "websocket" },
        });
      }
      const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
      const protocol = offered.find((p) => p === "mqtt" || p === "mqttv3.1");
      // Read before upgrading: Deno's ServeHandlerInfo throws "Request closed" afterwards.
      const address = info?.remoteAddr ? `${info.remoteAddr.hostname}:${info.remoteAddr.port}` : undefined;
      const { socket, response } = Deno.upgradeWebSocket(request, protocol ? { protocol } : {});
      const stream = webSocketStream(socket);
      const transport: Transport = {
        protocol: new URL(request.url).protocol === "https:" ? "wss" : "ws",
        ...withAddress(address),
      };
      sessions.accept(stream, transport);
      aedes.handle(stream);
      return response;
    },
    close: closeAll,
  };
}

function withAddress(address: string | undefined): { remoteAddress?: string } {
  return address ? { remoteAddress: address.slice(0, 256) } : {};
}
