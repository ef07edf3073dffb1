/**
 * Who is on each connection: the transport a socket came in on (set when it is accepted), the
 * device identity a client authenticated as, and every live client of a device, so a device can
 * be disconnected as a whole and the reason of each disconnect reported.
 *
 * Client ids are namespaced by device: a client id other than the device id is kept internally
 * as `{deviceId}/{clientId}` (`/` never occurs in device ids). Without that, device B connecting
 * with client id "A" would take over device A's session (MQTT-3.1.4-2) and receive its queued
 * downlinks.
 */
import type { Client } from "aedes";
import type { Duplex } from "node:stream";
import { escapeControlCharacters } from "../../core/events/storable_text.ts";

/** What is known about a connection before MQTT CONNECT. */
export interface Transport {
  protocol: "mqtt" | "mqtts" | "ws" | "wss";
  remoteAddress?: string;
  /** CN of a client certificate the CA verified; absent otherwise. */
  certificateCN?: string;
}

/** The identity a client authenticated as. */
export interface DeviceSession {
  deviceId: string;
  /** The client id as the device sent it. */
  clientId: string;
  transport: Transport;
  certificate: boolean;
  /** True once `device.connected` was appended, so `device.disconnected` pairs with it. */
  announced: boolean;
  /** First known reason the connection is going away. */
  disconnectReason?: string;
}

export class DeviceSessions {
  readonly #transports = new WeakMap<Duplex, Transport>();
  readonly #sessions = new WeakMap<Client, DeviceSession>();
  readonly #devices = new Map<string, Set<Client>>();
  /** Every accepted stream, so close() can drop those that never completed CONNECT. */
  readonly streams = new Set<Duplex>();

  accept(stream: Duplex, transport: Transport): void {
    this.#transports.set(stream, transport);
    this.streams.add(stream);
    stream.once("close", () => this.streams.delete(stream));
  }

  transportOf(client: Client): Transport {
    return this.#transports.get(client.conn) ?? { protocol: "mqtt" };
  }

  /** Binds `client` to `deviceId`; renames its client id into the device's namespace. */
  bind(client: Client, deviceId: string, certificate: boolean): DeviceSession {
    const clientId = client.id ?? "";
    const internalId = clientId === deviceId ? deviceId : `${deviceId}/${clientId}`;
    (client as { id: string }).id = internalId;
    for (const other of this.#devices.get(deviceId) ?? []) {
      if (other !== client && other.id === internalId) this.markClosing(other, "taken_over");
    }
    const session: DeviceSession = {
      deviceId,
      clientId: clientId || internalId,
      transport: this.transportOf(client),
      certificate,
      announced: false,
    };
    this.#sessions.set(client, session);
    return session;
  }

  sessionOf(client: Client | null): DeviceSession | undefined {
    return client ? this.#sessions.get(client) : undefined;
  }

  /**
   * Records why `client` is going away, unless a reason is already known. Reasons quote input (a
   * refused topic), so control characters are escaped: the `device.disconnected` event keeps it as text.
   */
  markClosing(client: Client, reason: string): void {
    const session = this.#sessions.get(client);
    if (session) session.disconnectReason ??= escapeControlCharacters(reason).slice(0, 1024);
  }

  ready(client: Client): DeviceSession | undefined {
    const session = this.#sessions.get(client);
    if (!session) return undefined;
    let clients = this.#devices.get(session.deviceId);
    if (!clients) this.#devices.set(session.deviceId, clients = new Set());
    clients.add(client);
    return session;
  }

  gone(client: Client): DeviceSession | undefined {
    const session = this.#sessions.get(client);
    if (!session) return undefined;
    const clients = this.#devices.get(session.deviceId);
    clients?.delete(client);
    if (clients?.size === 0) this.#devices.delete(session.deviceId);
    return session;
  }

  clientsOf(deviceId: string): Client[] {
    return [...(this.#devices.get(deviceId) ?? [])];
  }

  allClients(): Client[] {
    return [...this.#devices.values()].flatMap((clients) => [...clients]);
  }

  get deviceCount(): number {
    return this.#devices.size;
  }
}
