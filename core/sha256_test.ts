import assert from "node:assert/strict";
import { sha256Hex } from "./sha256.ts";

const webCrypto = async (bytes: Uint8Array<ArrayBuffer>) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) =>
    b.toString(16).padStart(2, "0")
  )
    .join("");

Deno.test("sha256Hex() gives the FIPS 180-4 test vectors", () => {
  const text = (s: string) => new TextEncoder().encode(s);
  assert.equal(sha256Hex(text("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(sha256Hex(text("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(
    sha256Hex(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256Hex() equals Web Crypto at every padding boundary and for a large input", async () => {
  for (const size of [1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 300_000]) {
    const bytes = new Uint8Array(size).map((_, i) => (i * 31 + size) % 256);
    assert.equal(sha256Hex(bytes), await webCrypto(bytes), `${size} bytes`);
  }
});
