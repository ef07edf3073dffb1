/**
 * The device accounts of the MQTT broker from configuration. The embedded broker needs none (it
 * reads the registry). External broker mode (`AIOT_MQTT_URL`) with a dynamic-security admin account
 * (`AIOT_MQTT_ADMIN_USERNAME` / `_PASSWORD`) gets Mosquitto's: the registry then provisions every
 * device it creates, rotates or decommissions. Without an admin account the operator provisions
 * devices by hand (`mosquitto_ctrl`), and a warning says so.
 */
import type { AiotConfig } from "./config/config.ts";
import { createLogger } from "./logging/mod.ts";
import {
  brokerAddress,
  connectDynsecProvisioner,
  type DynsecProvisioner,
} from "./mqtt_external/dynsec_provisioner.ts";

export interface BrokerAccountsOptions {
  /**
   * Also create (or update) the ingest account named by the user and password of `AIOT_MQTT_URL`,
   * with the role of the shared uplink subscription: what a gateway process needs before it
   * connects. Default false.
   */
  ensureIngestAccount?: boolean;
  /** Default: a warning line on stderr (JSON). */
  warn?: (line: string) => void;
}

/** The ingest account in `mqtt://user:password@host:port`, if the URL names one. */
function ingestAccountOf(url: string): { username: string; password: string } | undefined {
  const parsed = new URL(url);
  if (!parsed.username || !parsed.password) return undefined;
  return { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
}

/** Mosquitto's dynamic security when configured, else undefined; close it when done. */
export async function openBrokerAccounts(
  config: AiotConfig,
  options: BrokerAccountsOptions = {},
): Promise<DynsecProvisioner | undefined> {
  const { url, admin } = config.mqtt;
  if (!url) return undefined;
  const warn = options.warn ?? ((line: string) => createLogger().child("mqtt-accounts").warn(line));
  if (!admin) {
    warn(
      `external broker ${
        brokerAddress(url)
      }: AIOT_MQTT_ADMIN_USERNAME/AIOT_MQTT_ADMIN_PASSWORD are not set, ` +
        "so devices get no broker account from AIOT; create them with mosquitto_ctrl (see README)",
    );
    return undefined;
  }
  const accounts = await connectDynsecProvisioner(url, admin);
  const ingest = options.ensureIngestAccount ? ingestAccountOf(url) : undefined;
  if (ingest) {
    try {
      await accounts.ensureRoles({ ingest });
    } catch (error) {
      await accounts.close();
      throw error;
    }
  }
  return accounts;
}
