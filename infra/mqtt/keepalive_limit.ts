/**
 * A ceiling on MQTT keepalive. A device may ask for keepalive 0 ("never time me out") or for up
 * to 18 hours; aedes honours either, so a connection whose peer vanished without a FIN (a
 * half-open TCP connection, a NAT that dropped its mapping) would hold its connection slot and
 * its session for that long, or forever. Refusing such CONNECTs would leave 3.1.1 devices without
 * a return code to understand, so they are admitted and held to `maxSeconds` instead: silent for
 * 1.5 times that, they are closed like any keepalive timeout (MQTT-3.1.2-24).
 *
 * This drives aedes' own keepalive timer (`_keepaliveInterval`, `_keepaliveTimer`, refreshed by
 * aedes on every packet), which it sets up from the CONNECT before the client is ready.
 */
import type { Aedes, Client } from "aedes";

interface KeepaliveTimer {
  closed: boolean;
  _keepaliveInterval: number;
  _keepaliveTimer: ReturnType<typeof setTimeout> | null;
}

/** Holds a ready `client` to a keepalive of at most `maxSeconds`; leaves shorter ones alone. */
export function limitKeepalive(aedes: Aedes, client: Client, maxSeconds: number): void {
  const timer = client as unknown as KeepaliveTimer;
  const maxMs = Math.ceil(maxSeconds * 1500) + 1; // as aedes computes it from the device's own
  if (timer.closed || (timer._keepaliveInterval > 0 && timer._keepaliveInterval <= maxMs)) return;
  if (timer._keepaliveTimer) clearTimeout(timer._keepaliveTimer);
  timer._keepaliveInterval = maxMs;
  timer._keepaliveTimer = setTimeout(() => {
    aedes.emit("keepaliveTimeout", client);
    client.emit("error", new Error("keep alive timeout"));
  }, maxMs);
}
