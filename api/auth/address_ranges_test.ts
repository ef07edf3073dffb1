import assert from "node:assert/strict";
import { addressMatcher, parseAddress } from "./address_ranges.ts";

Deno.test("parseAddress() reads IPv4, IPv6 in its short forms, and IPv4-mapped IPv6 as IPv4", () => {
  assert.deepEqual(parseAddress("192.168.1.2"), { value: 0xc0a80102n, bits: 32 });
  assert.deepEqual(parseAddress("::ffff:192.168.1.2"), { value: 0xc0a80102n, bits: 32 });
  assert.deepEqual(parseAddress("::ffff:c0a8:102"), { value: 0xc0a80102n, bits: 32 });
  assert.deepEqual(parseAddress("::1"), { value: 1n, bits: 128 });
  assert.deepEqual(parseAddress("[2001:db8::1]"), { value: (0x20010db8n << 96n) | 1n, bits: 128 });
  assert.deepEqual(parseAddress("64:ff9b::1.2.3.4"), { value: (0x64ff9bn << 96n) | 0x01020304n, bits: 128 });
  assert.deepEqual(parseAddress("fe80::1%eth0"), { value: (0xfe80n << 112n) | 1n, bits: 128 });
  for (
    const bad of ["", "1.2.3", "1.2.3.256", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "nginx"]
  ) {
    assert.equal(parseAddress(bad), undefined, bad);
  }
});

Deno.test("addressMatcher() matches addresses and CIDR ranges of their own family", () => {
  const inRange = addressMatcher(["10.0.0.0/8", "192.168.1.7", "fd00::/8"]);
  assert.ok(inRange("10.255.1.2"));
  assert.ok(inRange("::ffff:10.1.1.1"));
  assert.ok(inRange("192.168.1.7"));
  assert.ok(!inRange("192.168.1.8"));
  assert.ok(!inRange("11.0.0.1"));
  assert.ok(inRange("fd12:3456::1"));
  assert.ok(!inRange("fe80::1"));
  assert.ok(!inRange("::a00:1"), "an IPv6 address is not in an IPv4 range");
  assert.ok(!inRange("not an address"));
  assert.ok(addressMatcher(["0.0.0.0/0"])("8.8.8.8"));
  assert.ok(addressMatcher(["::/0"])("2a00::1"));
  assert.ok(!addressMatcher([])("127.0.0.1"));
});

Deno.test("addressMatcher() refuses what is neither an address nor a CIDR range", () => {
  for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8/1", "10.0.0.0/-1", "localhost"]) {
    assert.throws(() => addressMatcher([bad]), TypeError, bad);
  }
});
