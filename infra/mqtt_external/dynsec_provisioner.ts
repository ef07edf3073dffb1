/**
 * Device accounts in Mosquitto's dynamic-security plugin (2.0.x), driven over its control topic
 * `$CONTROL/dynamic-security/v1` with an admin account. The platform keeps only scrypt hashes of
 * device tokens, so a token can reach the broker only when it is known in plain text: at device
 * creation and at rotation (`provisionDevice`). Certificate devices are provisioned without a
 * password (the certificate's CN becomes the username, `use_identity_as_username`), which gives
 * them the device role and so their ACL.
 *
 * Roles it maintains:
 * - `aiot-device-{id}` per device (`provisionDevice`): publish, subscribe and receive only under
 *   `devices/{id}/#`. One role per device because the dynamic-security plugin of Mosquitto
 *   2.0.11 does not substitute `%u` in role ACLs (tested: `devices/%u/#` refused every device);
 *   an `acl_file` `pattern` would, but Mosquitto 2.0 ignores `acl_file` once a security plugin
 *   is loaded for the listener;
 * - `aiot-ingest` (`ensureRoles`): the gateway's service account — subscribe to the shared uplink filters
 *   `$share/{group}/devices/#`, receive `devices/#`, publish downlinks on `devices/#`.
 */
import mqtt, { type MqttClient } from "mqtt";

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

function deviceAcls(deviceId: string): Acl[] {
  const topic = `devices/${deviceId}/#`;
  return ["publishClientSend", "publishClientReceive", "subscribePattern", "unsubscribePattern"].map((
    acltype,
  ) => ({
    acltype,
    topic,
    allow: true,
  }));
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
}

export interface DynsecProvisioner {
  /** Creates the ingest role (and the ingest account when given); idempotent. */
  ensureRoles(
    options?: { shareGroup?: string; ingest?: { username: string; password: string } },
  ): Promise<void>;
  /** Creates the device's account with the device role, or sets its new token; no token: certificate device. */
  provisionDevice(deviceId: string, token?: string): Promise<void>;
  /** Refuses the device from now on and closes its connections (decommissioning). */
  disableDevice(deviceId: string): Promise<void>;
  /** Deletes the device's account. */
  deleteDevice(deviceId: string): Promise<void>;
  close(): Promise<void>;
}

/** Connects with the dynsec admin account (`mosquitto_ctrl dynsec init …`). */
export async function connectDynsecProvisioner(
  url: string,
  admin: { username: string; password: string },
  options: { timeoutMs?: number } = {},
): Promise<DynsecProvisioner> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const client: MqttClient = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `aiot-provisioner-${crypto.randomUUID().slice(0, 8)}`,
    reconnectPeriod: 1_000,
    connectTimeout: timeoutMs,
    ...admin,
  });
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
    await client.publishAsync(CONTROL, JSON.stringify({ commands: [{ ...command, correlationData }] }), {
      qos: 1,
    });
    return (await answered).error ?? "";
  }

  async function must(command: Record<string, unknown>, tolerate?: RegExp): Promise<void> {
    const error = await run(command);
    if (error && !tolerate?.test(error)) throw new Error(`dynamic security ${command.command}: ${error}`);
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
        });
        if (/already exists/i.test(error)) {
          await must({ command: "setClientPassword", username: ingest.username, password: ingest.password });
        } else if (error) throw new Error(`dynamic security createClient: ${error}`);
        await must(
          { command: "addClientRole", username: ingest.username, rolename: INGEST_ROLE },
          /already/i,
        );
      }
    },
    async provisionDevice(deviceId, token) {
      if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(deviceId)) throw new RangeError(`invalid device id "${deviceId}"`);
      const DEVICE_ROLE = deviceRole(deviceId);
      await ensureRole(DEVICE_ROLE, deviceAcls(deviceId));
      const error = await run({
        command: "createClient",
        username: deviceId,
        ...(token !== undefined ? { password: token } : {}),
        roles: [{ rolename: DEVICE_ROLE }],
      });
      if (/already exists/i.test(error)) {
        if (token !== undefined) {
          await must({ command: "setClientPassword", username: deviceId, password: token });
        }
        await must({ command: "addClientRole", username: deviceId, rolename: DEVICE_ROLE }, /already/i);
        await must({ command: "enableClient", username: deviceId });
      } else if (error) throw new Error(`dynamic security createClient: ${error}`);
    },
    disableDevice: (deviceId) => must({ command: "disableClient", username: deviceId }),
    async deleteDevice(deviceId) {
      await must({ command: "deleteClient", username: deviceId }, /not found/i);
      await must({ command: "deleteRole", rolename: deviceRole(deviceId) }, /not found/i);
    },
    async close() {
      await client.endAsync();
    },
  };
}
