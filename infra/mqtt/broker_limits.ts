/**
 * What one MQTT peer may cost the embedded broker, with defaults sized for design §6 devices:
 * connections and packet sizes, checked before or right after CONNECT so an unauthenticated peer
 * is bounded as tightly as a device, and the session state kept for devices that went away
 * (`session_limits.ts`). Limits on the content a device sends are ingest's (design §6).
 */
import type { ConnectionCaps } from "./connection_admission.ts";
import { DEFAULT_SESSION_LIMITS, type SessionLimits } from "./session_limits.ts";

export interface BrokerLimits extends ConnectionCaps, SessionLimits {
  /**
   * Largest packet until the device has authenticated, fixed header included. A CONNECT holds a
   * client id, a username, a token and perhaps a will: a few hundred bytes. It also applies to
   * packets a device sends before its CONNACK (MQTT allows that pipelining). Default 64 KiB.
   */
  maxConnectPacketBytes: number;
  /**
   * Largest packet afterwards. Default 320 KiB: ingest's 256 KiB payload limit plus room for the
   * topic and MQTT 5 properties, so a payload a little over the limit still gets its own refusal
   * on `devices/{id}/errors` and a far larger one closes the connection before it is buffered.
   */
  maxPacketBytes: number;
  /** From accepting a connection (or a TLS handshake start) to its CONNECT. Default 10 s. */
  connectTimeoutMs: number;
  /**
   * Longest keepalive honoured; a device asking for none (0) or more is held to it
   * (`keepalive_limit.ts`). Default 20 minutes: far above what devices use (60 s is common).
   */
  maxKeepaliveSeconds: number;
}

export const DEFAULT_BROKER_LIMITS: Readonly<BrokerLimits> = {
  maxConnections: 10_000,
  maxConnectionsPerAddress: 100,
  maxConnectPacketBytes: 64 * 1024,
  maxPacketBytes: 320 * 1024,
  connectTimeoutMs: 10_000,
  maxKeepaliveSeconds: 20 * 60,
  ...DEFAULT_SESSION_LIMITS,
};
