import assert from "node:assert/strict";
import { blockedAddress, checkWebhookUrl, type ResolveHost } from "./address_guard.ts";

const deny = { allowPrivate: false };

Deno.test("blockedAddress() names every non-public IPv4 range and passes public addresses", () => {
  const blocked = [
    "0.0.0.0",
    "10.1.2.3",
    "100.64.0.1",
    "100.127.255.255",
    "127.0.0.1",
    "127.255.0.9",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
  ];
  for (const address of blocked) assert.ok(blockedAddress(address), address);
  for (const address of ["8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.15.0.1", "172.32.0.1"]) {
    assert.equal(blockedAddress(address), undefined, address);
  }
});

Deno.test("blockedAddress() judges IPv6, and IPv6 forms embedding IPv4 by their IPv4 address", () => {
  const blocked = [
    "::",
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "febf::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::",
    "::127.0.0.1",
  ];
  for (const address of blocked) assert.ok(blockedAddress(address), address);
  for (
    const address of ["2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808"]
  ) {
    assert.equal(blockedAddress(address), undefined, address);
  }
  assert.equal(blockedAddress("not-an-ip"), "not an IP address");
  assert.equal(blockedAddress("1::2::3"), "not an IP address");
});

Deno.test("checkWebhookUrl() refuses non-http(s) and unparsable URLs, even when private is allowed", async () => {
  for (const url of ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "not a url"]) {
    assert.ok(await checkWebhookUrl(url, { allowPrivate: true }), url);
  }
});

Deno.test("checkWebhookUrl() refuses private literals in every spelling URL parsing accepts", async () => {
  const urls = [
    "http://127.0.0.1/hook",
    "http://2130706433/hook", // decimal
    "http://0x7f.1/hook", // hex and short form
    "http://017700000001/hook", // octal
    "http://0177.0.0.1/hook",
    "http://[::1]:8080/hook",
    "http://[::ffff:127.0.0.1]/hook", // mapped, normalised by URL to [::ffff:7f00:1]
    "https://169.254.169.254/latest/meta-data",
    "http://localhost:3000/",
    "http://api.localhost/",
  ];
  // A resolver that calls every name public: only the literal check can refuse these.
  const resolve: ResolveHost = () => Promise.resolve(["93.184.216.34"]);
  for (const url of urls) {
    assert.match(
      (await checkWebhookUrl(url, { allowPrivate: false, resolve })) ?? "",
      /loopback|link-local/,
      url,
    );
  }
  assert.equal(await checkWebhookUrl("https://8.8.8.8/hook", deny), undefined);
  assert.equal(await checkWebhookUrl("http://[2606:4700:4700::1111]/hook", deny), undefined);
});

Deno.test("checkWebhookUrl() resolves names and refuses one with any private address", async () => {
  const records: Record<string, string[]> = {
    "public.example": ["93.184.216.34", "2606:2800:220:1::1"],
    "mixed.example": ["93.184.216.34", "10.0.0.5"],
    "rebind.example": ["::ffff:192.168.0.1"],
  };
  const asked: string[] = [];
  const resolve: ResolveHost = (host) => {
    asked.push(host);
    return Promise.resolve(records[host] ?? []);
  };
  assert.equal(
    await checkWebhookUrl("https://public.example/hook", { allowPrivate: false, resolve }),
    undefined,
  );
  assert.match(
    (await checkWebhookUrl("https://mixed.example/", { allowPrivate: false, resolve }))!,
    /10\.0\.0\.5/,
  );
  assert.ok(await checkWebhookUrl("https://rebind.example/", { allowPrivate: false, resolve }));
  assert.match(
    (await checkWebhookUrl("https://nx.example/", { allowPrivate: false, resolve }))!,
    /does not resolve/,
  );
  const failing: ResolveHost = () => Promise.reject(new Error("SERVFAIL"));
  assert.ok(await checkWebhookUrl("https://public.example/", { allowPrivate: false, resolve: failing }));
  assert.deepEqual(asked, ["public.example", "mixed.example", "rebind.example", "nx.example"]);
});

Deno.test("checkWebhookUrl() with allowPrivate passes private hosts without resolving them", async () => {
  const resolve: ResolveHost = () => Promise.reject(new Error("must not resolve"));
  for (const url of ["http://127.0.0.1:9/x", "http://localhost/", "http://internal.example/"]) {
    assert.equal(await checkWebhookUrl(url, { allowPrivate: true, resolve }), undefined, url);
  }
});
