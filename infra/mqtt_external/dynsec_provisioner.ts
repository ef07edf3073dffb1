/**
 * Device accounts in Mosquitto's dynamic-security plugin (2.0.x), driven over its control topic
 * `$CONTROL/dynamic-security/v1` with an admin account. The platform keeps only scrypt hashes of
 * device tokens, so a token can reach the broker only when it is known in plain text: at device
 * creation and at rotation (`provisionDevice`); it is the `BrokerAccounts` of external broker
 * mode. Certificate devices are provisioned without a password (the certificate's CN becomes the
 * username, `use_identity_as_username`), which gives them the device role and so their ACL.
 * It touches only device accounts: one holding any other role (the admin, the ingest account)
 * is refused, since device ids and broker user names share one namespace.
 *
 * Behaviour of Mosquitto 2.0.11 this relies on (tested in `dynsec_provisioner_test.ts`):
 * - a TLS listener with `use_identity_as_username` skips the password check entirely: any
 *   certificate the CA signed gets in, disabled client or not, and only the ACL stops it. So
 *   `disableDevice` also takes the device role away, which leaves it nothing it may publish or
 *   subscribe to (dynamic security denies both by default);
 * - `addClientRole` of a role the client already has answers "Internal error", so an existing
 *   account is updated with `modifyClient` (password and roles in one step), which also closes
 *   the connections logged in with the old password; no command removes a password, so making an
 *   account certificate-only deletes and re-creates it;
 * - a client's `clientid` makes the password login refuse every other client id (so a device
 *   cannot connect under the ingest replica's id and take its session over); certificate logins
 *   never reach that check, which the certificate listener's `use_username_as_clientid` covers;
 * - dynamic security lets clients receive by default, so a role denies what it must not receive.
 *
 * Roles it maintains:
 * - `aiot-device-{id}` per device (`provisionDevice`): publish and subscribe only under
 *   `devices/{id}/#`, receive only its downlinks there. One role per device because the
 *   dynamic-security plugin of Mosquitto 2.0.11 does not substitute `%u` in role ACLs (tested: `devices/%u/#` refused every device);
 *   an `acl_file` `pattern` would, but Mosquitto 2.0 ignores `acl_file` once a security plugin
 *   is loaded for the listener;
 * - `aiot-ingest` (`ensureRoles`): the gateway's service account — subscribe to the shared uplink filters
 *   `$share/{group}/devices/#`, receive `devices/#`, publish downlinks on `devices/#`.
 */
import mqtt, { type MqttClient } from "mqtt";
import type { BrokerAccounts } from "../../core/devices/broker_accounts.ts";

const CONTROL = "$CONTROL/dynamic-security/v1";

/** The role of one device. */
export const deviceRole = (deviceId: string) => `aiot-device-${deviceId}`;
export const INGEST_ROLE = "aiot-ingest";

interface Acl {
  acltype: string;
  topic: string;
  allow: boolean;
  priority?: number;
}

/**
 * The downlink topics of design §6 (`DownlinkSuffix`, below `devices/{id}/`): all a device
 * receives. Not its own uplinks: with queue limits lifted (see mosquitto.conf), a device that
 * subscribed to its own telemetry and stopped reading would make the broker queue without bound.
 */
export const DOWNLINK_FILTERS = ["commands/+", "state/desired", "ota", "errors"] as const;

function deviceAcls(deviceId: string): Acl[] {
  const subtree = `devices/${deviceId}/#`;
  return [
    ...["publishClientSend", "subscribePattern", "unsubscribePattern"].map((acltype) => ({
      acltype,
      topic: subtree,
      allow: true,
    })),
    // Higher priorities are checked first; dynamic security's default lets clients receive, so
    // the rest of the subtree is denied explicitly.
    ...DOWNLINK_FILTERS.map((filter) => ({
      acltype: "publishClientReceive",
      topic: `devices/${deviceId}/${filter}`,
      allow: true,
      priority: 1,
    })),
    { acltype: "publishClientReceive", topic: subtree, allow: false, priority: 0 },
  ];
}

function ingestAcls(shareGroup: string): Acl[] {
  return [
    { acltype: "subscribePattern", topic: `$share/${shareGroup}/devices/#`, allow: true },
    { acltype: "subscribePattern", topic: "devices/#", allow: true },
    { acltype: "publishClientReceive", topic: "devices/#", allow: true },
    { acltype: "publishClientSend", topic: "devices/#", allow: true },
  ];
}

interface Response {
  command: string;
  error?: string;
  correlationData?: string;
  data?: { client?: { roles?: { rolename: string }[] } };
}

export interface DynsecProvisioner extends BrokerAccounts {
  /**
   * Creates the ingest role (and the ingest account when given, setting its password: the
   * platform's configuration is the source of truth for it); idempotent.
   */
  ensureRoles(
    options?: { shareGroup?: string; ingest?: { username: string; password: string } },
  ): Promise<void>;
  /**
   * Creates the device's account with the device role, usable only with the device id as client
   * id, or sets its new token; no token: certificate device.
   */
  provisionDevice(deviceId: string, token?: string): Promise<void>;
  /** Refuses the device from now on, by token and by certificate, and closes its connections (decommissioning). */
  disableDevice(deviceId: string): Promise<void>;
  /** Deletes the device's account. */
  deleteDevice(deviceId: string): Promise<void>;
  close(): Promise<void>;
}

/** `url` without its user and password, for messages (and since the admin account is given apart). */
export function brokerAddress(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(invalid url)";
  }
}

/**
 * Connects with the dynsec admin account (`mosquitto_ctrl dynsec init …`); credentials in `url`
 * are ignored. Fails after `timeoutMs` (default 5 s) when the broker does not accept it.
 */
export async function connectDynsecProvisioner(
  url: string,
  admin: { username: string; password: string },
  options: { timeoutMs?: number } = {},
): Promise<DynsecProvisioner> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const address = brokerAddress(url);
  const client: MqttClient = mqtt.connect(address, {
    protocolVersion: 5,
    clientId: `aiot-provisioner-${crypto.randomUUID().slice(0, 8)}`,
    reconnectPeriod: 1_000,
    connectTimeout: timeoutMs,
    ...admin,
  });
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      client.off("error", onError);
      client.off("connect", onConnect);
      if (!error) return resolve();
      client.end(true);
      reject(
        new Error(`cannot connect to the MQTT broker at ${address} as "${admin.username}": ${error.message}`),
      );
    };
    const onError = (error: Error) => settle(error);
    const onConnect = () => settle();
    // An unreachable broker never errors (mqtt.js keeps reconnecting): bound the wait.
    const timer = setTimeout(() => settle(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    client.on("error", onError);
    client.on("connect", onConnect);
  });
  // Later failures (a broker restart) are reconnected by mqtt.js; commands fail fast meanwhile.
  client.on("error", () => {});
  const waiting = new Map<string, (response: Response) => void>();
  client.on("message", (_topic, payload) => {
    try {
      const { responses } = JSON.parse(payload.toString()) as { responses?: Response[] };
      for (const response of responses ?? []) {
        const resolve = response.correlationData ? waiting.get(response.correlationData) : undefined;
        if (resolve) resolve(response);
      }
    } catch {
      // Not ours to judge: only correlated answers matter.
    }
  });
  await client.subscribeAsync(`${CONTROL}/response`, { qos: 1 });

  /** Sends one command; resolves with its error text ("" when it succeeded). */
  async function run(command: Record<string, unknown>): Promise<string> {
    return (await answer(command)).error ?? "";
  }

  /** Sends one command; resolves with the plugin's answer. */
  async function answer(command: Record<string, unknown>): Promise<Response> {
    // Never queue a command while offline: it would apply after its caller was told it failed.
    if (!client.connected) throw new Error(`not connected to the MQTT broker at ${address}`);
    const correlationData = crypto.randomUUID();
    const answered = new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(correlationData);
        reject(new Error(`dynamic security did not answer ${command.command} in ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(correlationData, (response) => {
        clearTimeout(timer);
        waiting.delete(correlationData);
        resolve(response);
      });
    });
    // Until it is awaited below, a rejection of `answered` (its timer firing while the publish is
    // still slow, or after the publish failed) must not count as unhandled: that ends the process.
    answered.catch(() => {});
    try {
      await client.publishAsync(CONTROL, JSON.stringify({ commands: [{ ...command, correlationData }] }), {
        qos: 1,
      });
    } catch (error) {
      waiting.get(correlationData)?.({} as Response); // clears the timer
      throw error;
    }
    return await answered;
  }

  async function must(command: Record<string, unknown>, tolerate?: RegExp): Promise<void> {
    const error = await run(command);
    if (error && !tolerate?.test(error)) throw new Error(`dynamic security ${command.command}: ${error}`);
  }

  /**
   * Device ids and broker user names share one namespace, so a device named like the admin or
   * ingest account would otherwise get that account's password replaced and its roles swapped
   * for a device role (or be disabled). An account is a device's when it holds no role but that
   * device's (a decommissioned device holds none).
   */
  async function mustBeDeviceAccount(deviceId: string) {
    const got = await answer({ command: "getClient", username: deviceId });
    if (got.error) {
      if (/not found/i.test(got.error)) return;
      throw new Error(`dynamic security getClient: ${got.error}`);
    }
    const others = (got.data?.client?.roles ?? []).map((r) => r.rolename).filter((r) =>
      r !== deviceRole(deviceId)
    );
    if (others.length > 0) {
      throw new Error(
        `the broker account "${deviceId}" is not a device account (roles: ${others.join(", ")})`,
      );
    }
  }

  async function ensureRole(rolename: string, acls: Acl[]) {
    await must({ command: "createRole", rolename }, /already exists/i);
    for (const acl of acls) await must({ command: "addRoleACL", rolename, ...acl }, /already exists/i);
  }

  return {
    async ensureRoles({ shareGroup = "aiot-ingest", ingest } = {}) {
      await ensureRole(INGEST_ROLE, ingestAcls(shareGroup));
      if (ingest) {
        const error = await run({
          command: "createClient",
          username: ingest.username,
          password: ingest.password,
          roles: [{ rolename: INGEST_ROLE }],
        });
        if (/already exists/i.test(error)) {
          // Not modifyClient: that would drop roles an operator added to the account.
          await must({ command: "setClientPassword", username: ingest.username, password: ingest.password });
          // 2.0.11 answers "Internal error" when the client already has the role.
          await must(
            { command: "addClientRole", username: ingest.username, rolename: INGEST_ROLE },
            /internal error/i,
          );
        } else if (error) throw new Error(`dynamic security createClient: ${error}`);
      }
    },
    async provisionDevice(deviceId, token) {
      if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(deviceId)) throw new RangeError(`invalid device id "${deviceId}"`);
      await mustBeDeviceAccount(deviceId);
      const DEVICE_ROLE = deviceRole(deviceId);
      // Roles made before receiving was narrowed to downlinks allow the whole subtree under the
      // same acltype and topic: addRoleACL cannot change an entry, so it is replaced.
      await must(
        {
          command: "removeRoleACL",
          rolename: DEVICE_ROLE,
          acltype: "publishClientReceive",
          topic: `devices/${deviceId}/#`,
        },
        /not found/i,
      );
      await ensureRole(DEVICE_ROLE, deviceAcls(deviceId));
      const account = {
        username: deviceId,
        // Usable with this client id only: a device cannot log in as another client (the ingest
        // replica, another device) and take its connection and session over. A certificate login
        // skips this check; the certificate listener's use_username_as_clientid covers it.
        clientid: deviceId,
        ...(token !== undefined ? { password: token } : {}),
        roles: [{ rolename: DEVICE_ROLE }],
      };
      let error = await run({ command: "createClient", ...account });
      if (/already exists/i.test(error) && token === undefined) {
        // No command removes a password in 2.0: a certificate-only account is made anew.
        await must({ command: "deleteClient", username: deviceId });
        error = await run({ command: "createClient", ...account });
      }
      if (/already exists/i.test(error)) {
        await must({ command: "modifyClient", ...account });
        await must({ command: "enableClient", username: deviceId });
      } else if (error) throw new Error(`dynamic security createClient: ${error}`);
    },
    async disableDevice(deviceId) {
      await mustBeDeviceAccount(deviceId);
      // The role first: a certificate login skips the disabled check (see above).
      await must(
        { command: "removeClientRole", username: deviceId, rolename: deviceRole(deviceId) },
        /not found/i,
      );
      await must({ command: "disableClient", username: deviceId }, /not found/i);
    },
    async deleteDevice(deviceId) {
      await mustBeDeviceAccount(deviceId);
      await must({ command: "deleteClient", username: deviceId }, /not found/i);
      await must({ command: "deleteRole", rolename: deviceRole(deviceId) }, /not found/i);
    },
    async close() {
      await client.endAsync();
    },
  };
}
