/**
 * Caps on open MQTT connections, in total and per client IP address, checked when a connection
 * is accepted — before TLS, before CONNECT — because everything after that (a TLS handshake, a
 * parser, a pre-CONNACK packet queue, a scrypt check) costs memory and CPU that an unauthenticated
 * peer must not be able to multiply at will. A connection counts until it closes, whether it ever
 * authenticated or not.
 */

export interface ConnectionCaps {
  /** Open connections of every transport together. */
  maxConnections: number;
  /** Open connections from one IP address (devices behind one NAT share it). */
  maxConnectionsPerAddress: number;
}

export interface ConnectionAdmission {
  /** Counts a new connection from `address` (an IP, if known); returns its release, or undefined when a cap is reached. */
  admit(address: string | undefined): (() => void) | undefined;
  /** Open connections now. */
  readonly open: number;
}

export function createConnectionAdmission(caps: ConnectionCaps): ConnectionAdmission {
  const perAddress = new Map<string, number>();
  let open = 0;
  return {
    admit(address) {
      if (open >= caps.maxConnections) return undefined;
      const fromAddress = address === undefined ? 0 : perAddress.get(address) ?? 0;
      if (address !== undefined && fromAddress >= caps.maxConnectionsPerAddress) return undefined;
      open++;
      if (address !== undefined) perAddress.set(address, fromAddress + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open--;
        if (address === undefined) return;
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      };
    },
    get open() {
      return open;
    },
  };
}
