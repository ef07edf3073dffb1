/**
 * `deno task aiot devices …`: the registry operations of core/devices as a CLI. Changes are events
 * appended to the log; the command then waits briefly for the read model to show them (the
 * platform's `readmodels` projector writes it) and says so when the platform is not running.
 * In external broker mode with an admin account, `brokerAccounts` gives the broker the token at
 * create and rotate, and disables the account at decommission (see `core/devices/registry.ts`).
 */
import type { BrokerAccounts } from "../../core/devices/broker_accounts.ts";
import {
  decommissionDevice,
  registerDevice,
  type RegistryDeps,
  rotateDeviceToken,
} from "../../core/devices/registry.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { generateToken, hashSecret } from "../auth/secrets.ts";
import { getDevice, listDevices, type ReadModelStore } from "../../core/readmodels/mod.ts";

export interface DevicesCommandDeps {
  log: EventLog;
  readModels: ReadModelStore;
  deviceTopic: string;
  /** The external broker's device accounts; absent: the embedded broker reads the registry. */
  brokerAccounts?: BrokerAccounts;
  fail(message: string): never;
  out?: (line: string) => void;
}

/** Collects `--name value` options and repeated `--label k=v`; the rest are positional. */
function parseArgs(args: string[], fail: (m: string) => never) {
  const options = new Map<string, string>();
  const labels: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const value = args[++i];
    if (value === undefined) fail(`${arg} needs a value`);
    if (arg === "--label") {
      const [key, ...parts] = value.split("=");
      if (!key || parts.length === 0) fail(`--label expects key=value, got "${value}"`);
      labels[key] = parts.join("=");
    } else options.set(arg.slice(2), value);
  }
  return { options, labels, positional };
}

async function waitForProjection(check: () => Promise<boolean>, out: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  out("note: the change is in the log; the registry shows it once the platform (deno task start) runs");
}

export async function runDevicesCommand(args: string[], deps: DevicesCommandDeps): Promise<void> {
  const out = deps.out ?? ((line: string) => console.log(line));
  const [action, ...rest] = args;
  const { options, labels, positional } = parseArgs(rest, deps.fail);
  const registry: RegistryDeps = {
    findDevice: (id) => getDevice(deps.readModels, id),
    appendDeviceEvents: (events) => deps.log.append(deps.deviceTopic, events.map(toLogMessage)),
    generateToken,
    hashSecret: (token) => hashSecret(token),
    newDeviceId: () => `dev-${crypto.randomUUID().slice(0, 8)}`,
    ...(deps.brokerAccounts ? { brokerAccounts: deps.brokerAccounts } : {}),
  };
  const by = `cli:${Deno.env.get("USER") ?? "operator"}`;

  if (action === "create") {
    const id = options.get("id");
    const name = options.get("name");
    const { id: created, token } = await registerDevice(registry, {
      ...(id ? { id } : {}),
      ...(name ? { name } : {}),
      ...(Object.keys(labels).length ? { labels } : {}),
    }, by);
    out(`device ${created} created`);
    out(`token ${token}`);
    out("the token is shown once: give it to the device now (MQTT username = device id, password = token)");
    await waitForProjection(async () => (await getDevice(deps.readModels, created)) !== undefined, out);
  } else if (action === "list") {
    const [key, value] = Object.entries(labels)[0] ?? [];
    let cursor: string | undefined;
    out("id\tstatus\tname\tlabels");
    do {
      const page = await listDevices(deps.readModels, {
        limit: 500,
        ...(key !== undefined && value !== undefined ? { label: { key, value } } : {}),
        ...(cursor ? { cursor } : {}),
      });
      for (const d of page.items) {
        const shown = Object.entries(d.labels).map(([k, v]) => `${k}=${v}`).join(",");
        out(`${d.id}\t${d.status}\t${d.name ?? ""}\t${shown}`);
      }
      cursor = page.next;
    } while (cursor);
  } else if (action === "rotate") {
    const id = positional[0] ?? deps.fail("rotate: which device?");
    const { token } = await rotateDeviceToken(registry, id, by);
    out(`token ${token}`);
    out("the old token stops working now; connections using it are dropped");
  } else if (action === "decommission") {
    const id = positional[0] ?? deps.fail("decommission: which device?");
    await decommissionDevice(registry, id, by, options.get("reason"));
    out(`device ${id} decommissioned`);
    await waitForProjection(
      async () => (await getDevice(deps.readModels, id))?.status === "decommissioned",
      out,
    );
  } else {
    deps.fail(`devices: unknown action "${action ?? ""}"`);
  }
}
