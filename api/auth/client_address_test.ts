import assert from "node:assert/strict";
import { Hono } from "hono";
import { defaultClientAddress } from "./client_address.ts";

/** The address `defaultClientAddress` gives for a request from `peer` (no socket: undefined). */
async function clientOf(
  trustProxy: boolean | string[] | undefined,
  peer: string | undefined,
  forwardedFor?: string,
): Promise<string> {
  const clientAddress = defaultClientAddress(trustProxy === undefined ? {} : { trustProxy });
  const app = new Hono().get("/", (c) => c.text(clientAddress(c)));
  const headers: Record<string, string> = forwardedFor === undefined
    ? {}
    : { "x-forwarded-for": forwardedFor };
  const env = peer === undefined
    ? undefined
    : { remoteAddr: { hostname: peer, port: 40_000, transport: "tcp" } };
  return await (await app.request("/", { headers }, env)).text();
}

Deno.test("defaultClientAddress() without a trusted proxy is the socket peer, whatever the header says", async () => {
  assert.equal(await clientOf(undefined, "203.0.113.7", "198.51.100.1"), "203.0.113.7");
  assert.equal(await clientOf(false, "203.0.113.7", "198.51.100.1"), "203.0.113.7");
  assert.equal(await clientOf(false, undefined, "198.51.100.1"), "unknown");
});

Deno.test("defaultClientAddress() with trustProxy true takes the last X-Forwarded-For entry of any peer", async () => {
  assert.equal(await clientOf(true, "10.0.0.2", "1.1.1.1, 198.51.100.1"), "198.51.100.1");
  assert.equal(await clientOf(true, "10.0.0.2"), "10.0.0.2", "no header: the peer");
  assert.equal(await clientOf(true, undefined, "198.51.100.1"), "198.51.100.1");
});

Deno.test("defaultClientAddress() believes X-Forwarded-For only from a listed proxy", async () => {
  const trust = ["127.0.0.1", "10.0.0.0/8"];
  assert.equal(await clientOf(trust, "203.0.113.7", "198.51.100.1"), "203.0.113.7", "a client forging it");
  assert.equal(await clientOf(trust, "127.0.0.1", "198.51.100.1"), "198.51.100.1");
  assert.equal(await clientOf(trust, "::ffff:127.0.0.1", "198.51.100.1"), "198.51.100.1", "IPv4-mapped peer");
  assert.equal(await clientOf(trust, "127.0.0.1"), "127.0.0.1", "no header: the proxy itself");
  assert.equal(
    await clientOf(trust, undefined, "198.51.100.1"),
    "unknown",
    "no socket: no telling who wrote it",
  );
});

Deno.test("defaultClientAddress() takes the right-most untrusted entry of the chain", async () => {
  const trust = ["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"];
  // The client forged the first two entries; our proxies appended the rest.
  const chain = "6.6.6.6, 10.9.9.9, 198.51.100.23, 10.1.2.3, 10.0.0.5";
  assert.equal(await clientOf(trust, "127.0.0.1", chain), "198.51.100.23");
  assert.equal(await clientOf(trust, "127.0.0.1", "2001:db8::1, 2001:db8:ffff::9"), "2001:db8::1");
  assert.equal(await clientOf(trust, "2001:db8::7", "2a00:1450::1"), "2a00:1450::1", "an IPv6 proxy");
  assert.equal(
    await clientOf(trust, "127.0.0.1", "garbage, 10.0.0.5"),
    "garbage",
    "not an address: untrusted",
  );
  assert.equal(
    await clientOf(trust, "127.0.0.1", "10.3.3.3, 10.0.0.5"),
    "10.3.3.3",
    "all trusted: left-most",
  );
});

Deno.test("defaultClientAddress() refuses a trusted proxy that is neither an address nor a range", () => {
  assert.throws(
    () => defaultClientAddress({ trustProxy: ["10.0.0.0/33"] }),
    /Cannot parse trusted proxy "10.0.0.0\/33"/,
  );
  assert.throws(() => defaultClientAddress({ trustProxy: ["nginx"] }), TypeError);
});
