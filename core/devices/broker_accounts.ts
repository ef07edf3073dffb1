/**
 * `BrokerAccounts`: the device accounts of an external MQTT broker (design §4, `DeviceGateway`
 * row: "external broker"). The embedded broker reads the registry read model to authenticate, so it
 * needs nothing here (`NO_BROKER_ACCOUNTS`). An external broker (Mosquitto's dynamic security)
 * keeps its own accounts and checks plain passwords, while the platform keeps only scrypt hashes:
 * the registry operations are the one place a token exists in plain text, so they drive this port
 * at creation and rotation, and at decommissioning.
 */

export interface BrokerAccounts {
  /**
   * Creates the device's account (or updates it: rotation, a retry) with an ACL confining it to
   * `devices/{id}/…`, enabled. With a `token` it becomes the account's password and the previous
   * one stops working (open connections are closed); without one the account has no password and
   * the device can only connect with a client certificate whose CN is its id.
   */
  provisionDevice(deviceId: string, token?: string): Promise<void>;
  /**
   * The device may no longer connect nor publish, by token or certificate; its open connections
   * are closed. Idempotent, also for a device the broker never knew.
   */
  disableDevice(deviceId: string): Promise<void>;
}

/** For the embedded broker, which authenticates devices against the registry itself. */
export const NO_BROKER_ACCOUNTS: BrokerAccounts = {
  provisionDevice: () => Promise.resolve(),
  disableDevice: () => Promise.resolve(),
};
