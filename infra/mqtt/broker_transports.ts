/**
 * How connections reach the embedded broker on each transport — MQTT (TCP), MQTTS (TLS) and MQTT
 * over WebSocket — and, the same on all three: counted against the connection caps as soon as
 * they arrive (on TLS before the handshake, on WebSocket before the upgrade), then read through
 * a stream that enforces the connection's packet size limit, and tagged with what is known of
 * them before CONNECT.
 */
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import type { Transport } from "./device_sessions.ts";
import type { PacketSizeLimit } from "./packet_size_limit.ts";
import type { IntakeGate } from "./intake_gate.ts";
import { SocketStream } from "./socket_stream.ts";
import { webSocketStream } from "./websocket_stream.ts";

/** The broker's side: admission and the hand-over to aedes. */
export interface ConnectionSink {
  /** Counts a connection from `address` (an IP); returns its release, or undefined when refused. */
  admit(address: string | undefined): (() => void) | undefined;
  /** Builds the connection's stream around its packet size limit and hands it to aedes. */
  serve(open: (packetLimit: PacketSizeLimit) => Duplex, transport: Transport): Duplex;
  /** The process-wide bound on uplinks in memory, for streams that can hold data back. */
  readonly gate?: IntakeGate;
}

/** Counts `socket` until it closes; destroys it when a cap is reached. */
function admitSocket(sink: ConnectionSink, socket: net.Socket): boolean {
  const release = sink.admit(socket.remoteAddress);
  if (!release) {
    socket.destroy();
    return false;
  }
  socket.once("close", release);
  return true;
}

export function mqttServer(sink: ConnectionSink): net.Server {
  return net.createServer((socket) => {
    if (!admitSocket(sink, socket)) return;
    sink.serve(
      (packetLimit) => new SocketStream(socket, { packetLimit, ...(sink.gate ? { gate: sink.gate } : {}) }),
      {
        protocol: "mqtt",
        ...withAddress(addressOf(socket)),
      },
    );
  });
}

/** With `ca`, devices may authenticate with a certificate signed by it (CN = device id). */
export function mqttsServer(
  sink: ConnectionSink,
  options: { key: string; cert: string; ca?: string | undefined; handshakeTimeoutMs: number },
): tls.Server {
  const { key, cert, ca } = options;
  const server = tls.createServer({
    key,
    cert,
    handshakeTimeout: options.handshakeTimeoutMs,
    ...(ca ? { ca, requestCert: true, rejectUnauthorized: false } : {}),
  }, (socket) => {
    const subject = socket.authorized ? socket.getPeerCertificate()?.subject : undefined;
    const cn = typeof subject?.CN === "string" ? subject.CN : undefined;
    sink.serve(
      (packetLimit) => new SocketStream(socket, { packetLimit, ...(sink.gate ? { gate: sink.gate } : {}) }),
      {
        protocol: "mqtts",
        ...withAddress(addressOf(socket)),
        ...(cn ? { certificateCN: cn } : {}),
      },
    );
  });
  // On the raw TCP connection, so a refused peer never gets a TLS handshake.
  server.on("connection", (socket: net.Socket) => admitSocket(sink, socket));
  return server;
}

/** For `Deno.serve`: upgrades to MQTT over WebSocket (subprotocol `mqtt`), or answers 426 or 503. */
export function acceptWebSocket(
  sink: ConnectionSink,
  request: Request,
  info?: { remoteAddr: Deno.NetAddr },
): Response {
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
  const release = sink.admit(info?.remoteAddr?.hostname);
  if (!release) {
    return new Response("MQTT over WebSocket: too many connections\n", {
      status: 503,
      headers: { "retry-after": "60" },
    });
  }
  let upgraded: ReturnType<typeof Deno.upgradeWebSocket>;
  try {
    upgraded = Deno.upgradeWebSocket(request, protocol ? { protocol } : {});
  } catch (error) {
    release();
    throw error;
  }
  const stream = sink.serve((packetLimit) => webSocketStream(upgraded.socket, { packetLimit }), {
    protocol: new URL(request.url).protocol === "https:" ? "wss" : "ws",
    ...withAddress(address),
  });
  // aedes' CONNECT timeout destroys a stream that never gets going, so this always runs.
  stream.once("close", release);
  return upgraded.response;
}

export function listen(server: net.Server, port: number, host: string): Promise<number> {
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

function withAddress(address: string | undefined): { remoteAddress?: string } {
  return address ? { remoteAddress: address.slice(0, 256) } : {};
}
