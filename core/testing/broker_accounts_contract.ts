/**
 * The one contract every `BrokerAccounts` passes: the in-memory fake and Mosquitto's dynamic
 * security. It speaks only of what a device can do afterwards (log in with a token or a
 * certificate, publish on a topic), which is what the registry relies on.
 *
 * ```ts
 * for (const c of brokerAccountsContract) Deno.test(`BrokerAccounts contract [x] › ${c.name}`, () => c.run(open));
 * ```
 * The factory returns a probe over a broker with no device accounts; the case closes it.
 */
import assert from "node:assert/strict";
import type { BrokerAccounts } from "../devices/broker_accounts.ts";
import type { BrokerLogin } from "./in_memory_broker_accounts.ts";

export interface BrokerAccountsProbe {
  accounts: BrokerAccounts;
  /** Whether the broker takes a QoS 1 publish on `topic` (default `devices/{id}/telemetry`) from this login. */
  canPublish(deviceId: string, login: BrokerLogin, topic?: string): Promise<boolean>;
  close(): Promise<void>;
}

export type BrokerAccountsFactory = () => Promise<BrokerAccountsProbe>;

export interface BrokerAccountsContractCase {
  name: string;
  run(open: BrokerAccountsFactory): Promise<void>;
}

async function withProbe(open: BrokerAccountsFactory, fn: (probe: BrokerAccountsProbe) => Promise<void>) {
  const probe = await open();
  try {
    await fn(probe);
  } finally {
    await probe.close();
  }
}

export const brokerAccountsContract: BrokerAccountsContractCase[] = [
  {
    name: "a provisioned device gets in with its token only, and publishes only under its own id",
    run: (open) =>
      withProbe(open, async ({ accounts, canPublish }) => {
        await accounts.provisionDevice("pump-1", "token-one");
        await accounts.provisionDevice("pump-2", "token-two");
        assert.equal(await canPublish("pump-1", { token: "token-one" }), true);
        assert.equal(await canPublish("pump-1", { token: "token-two" }), false, "another device's token");
        assert.equal(await canPublish("pump-9", { token: "token-one" }), false, "an unknown device");
        assert.equal(
          await canPublish("pump-1", { token: "token-one" }, "devices/pump-2/telemetry"),
          false,
          "another device's topic",
        );
      }),
  },
  {
    name: "provisioning again with a new token (rotation) refuses the old one",
    run: (open) =>
      withProbe(open, async ({ accounts, canPublish }) => {
        await accounts.provisionDevice("pump-1", "token-old");
        await accounts.provisionDevice("pump-1", "token-new");
        assert.equal(await canPublish("pump-1", { token: "token-old" }), false);
        assert.equal(await canPublish("pump-1", { token: "token-new" }), true);
      }),
  },
  {
    name: "a certificate device (no token) gets in with its certificate, never with a password",
    run: (open) =>
      withProbe(open, async ({ accounts, canPublish }) => {
        await accounts.provisionDevice("meter-1");
        assert.equal(await canPublish("meter-1", "certificate"), true);
        assert.equal(await canPublish("meter-1", { token: "any-password" }), false);
        assert.equal(await canPublish("meter-1", "certificate", "devices/meter-2/telemetry"), false);
        await accounts.provisionDevice("meter-2", "token-two");
        await accounts.provisionDevice("meter-2");
        assert.equal(await canPublish("meter-2", { token: "token-two" }), false, "its former token");
        assert.equal(await canPublish("meter-2", "certificate"), true);
      }),
  },
  {
    name: "a disabled device is refused with its token and its certificate; provisioning enables it again",
    run: (open) =>
      withProbe(open, async ({ accounts, canPublish }) => {
        await accounts.provisionDevice("pump-1", "token-one");
        assert.equal(
          await canPublish("pump-1", "certificate"),
          true,
          "a token device may also use a certificate",
        );
        await accounts.disableDevice("pump-1");
        assert.equal(await canPublish("pump-1", { token: "token-one" }), false);
        assert.equal(await canPublish("pump-1", "certificate"), false);
        await accounts.provisionDevice("pump-1", "token-two");
        assert.equal(await canPublish("pump-1", { token: "token-two" }), true);
      }),
  },
  {
    name: "disableDevice() is idempotent and accepts a device the broker never knew",
    run: (open) =>
      withProbe(open, async ({ accounts, canPublish }) => {
        await accounts.disableDevice("ghost");
        await accounts.provisionDevice("pump-1", "token-one");
        await accounts.disableDevice("pump-1");
        await accounts.disableDevice("pump-1");
        assert.equal(await canPublish("pump-1", { token: "token-one" }), false);
      }),
  },
];
