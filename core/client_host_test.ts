import assert from "node:assert/strict";
import { clientHostKey, hostKey } from "./client_host.ts";

Deno.test("clientHostKey() drops the port and groups IPv6 addresses by /64", () => {
  const cases: [string, string][] = [
    ["203.0.113.7:51234", "203.0.113.7"],
    ["203.0.113.7", "203.0.113.7"],
    ["localhost:1883", "localhost"],
    ["::ffff:127.0.0.1:40000", "127.0.0.1"],
    ["[2001:db8:1:2::5]:1883", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd:1883", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff::1:1883", "2001:db8:1:2::/64"],
    ["::1:5000", "0:0:0:0::/64"],
  ];
  for (const [address, key] of cases) assert.equal(clientHostKey(address), key, address);
});

Deno.test("hostKey() of a bare address (no port), as sockets and X-Forwarded-For give it", () => {
  assert.equal(hostKey("2001:db8::1"), "2001:db8:0:0::/64");
  assert.equal(hostKey("2001:db8::ffff"), "2001:db8:0:0::/64", "a numeric last hextet is not a port");
  assert.equal(hostKey("[2001:db8::1]"), "2001:db8:0:0::/64");
  assert.equal(hostKey("192.0.2.7"), "192.0.2.7");
  assert.equal(hostKey("::ffff:192.0.2.7"), "192.0.2.7");
});
