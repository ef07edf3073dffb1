/**
 * The in-memory `BrokerAccounts` fake: accounts in a map, with the rules of a broker that checks
 * plain passwords and confines each device to `devices/{id}/…` (what Mosquitto's dynamic security
 * does for AIOT). It also answers what a device could do, records the calls in order and can be
 * told to fail, so registry and API tests can check ordering and outages.
 */
import type { BrokerAccounts } from "../devices/broker_accounts.ts";

/** How a device logs in: its token as the password, or a client certificate with its id as CN. */
export type BrokerLogin = { token: string } | "certificate";

export interface InMemoryBrokerAccounts extends BrokerAccounts {
  /** Whether the broker would take a publish on `topic` (default `devices/{id}/telemetry`) from this login. */
  canPublish(deviceId: string, login: BrokerLogin, topic?: string): boolean;
  /** Calls so far, e.g. `provision dev-1`, `disable dev-1` (never the token). */
  readonly calls: string[];
  /** Every call fails with `error` until `failWith(undefined)`: a broker outage. */
  failWith(error: Error | undefined): void;
}

interface Account {
  password?: string;
  enabled: boolean;
}

export function createInMemoryBrokerAccounts(): InMemoryBrokerAccounts {
  const accounts = new Map<string, Account>();
  const calls: string[] = [];
  let failure: Error | undefined;

  const call = (name: string, deviceId: string, change: () => void): Promise<void> => {
    calls.push(`${name} ${deviceId}`);
    if (failure) return Promise.reject(failure);
    change();
    return Promise.resolve();
  };

  return {
    calls,
    failWith(error) {
      failure = error;
    },
    provisionDevice: (deviceId, token) =>
      call("provision", deviceId, () => {
        accounts.set(deviceId, { enabled: true, ...(token === undefined ? {} : { password: token }) });
      }),
    disableDevice: (deviceId) =>
      call("disable", deviceId, () => {
        const account = accounts.get(deviceId);
        if (account) account.enabled = false;
      }),
    canPublish(deviceId, login, topic = `devices/${deviceId}/telemetry`) {
      const account = accounts.get(deviceId);
      if (!account?.enabled) return false;
      if (login !== "certificate" && login.token !== account.password) return false;
      return topic.startsWith(`devices/${deviceId}/`);
    },
  };
}
