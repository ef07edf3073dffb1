import assert from "node:assert/strict";
import { createDownloadSigner, type DownloadParams } from "./download_signature.ts";

const key = new Uint8Array(32).fill(7);
const NOW = Date.UTC(2026, 10, 30, 12);
const grant = { firmwareId: "fw-1", jobId: "job-1", deviceId: "pump-1" };
const exp = NOW / 1000 + 3600;

async function signed(): Promise<DownloadParams> {
  const signer = await createDownloadSigner(key);
  return {
    firmwareId: "fw-1",
    job: "job-1",
    device: "pump-1",
    exp: String(exp),
    sig: await signer.sign(grant, exp),
  };
}

Deno.test("verify() accepts what sign() signed, until it expires", async () => {
  const signer = await createDownloadSigner(key);
  const params = await signed();
  assert.equal(await signer.verify(params, NOW), "ok");
  assert.equal(await signer.verify(params, exp * 1000 - 1), "ok");
  assert.equal(await signer.verify(params, exp * 1000), "expired");
});

Deno.test("verify() refuses any changed parameter: another job, device, image, expiry or signature", async () => {
  const signer = await createDownloadSigner(key);
  const params = await signed();
  const tampered: DownloadParams[] = [
    { ...params, job: "job-2" },
    { ...params, device: "pump-2" },
    { ...params, firmwareId: "fw-2" },
    { ...params, exp: String(exp + 86_400) },
    { ...params, sig: params.sig!.slice(0, -1) + (params.sig!.endsWith("A") ? "B" : "A") },
    { ...params, sig: undefined },
    { ...params, sig: "" },
    { ...params, sig: "not-base64!" },
    { ...params, exp: "1e12" },
    { ...params, job: undefined },
  ];
  for (const p of tampered) assert.equal(await signer.verify(p, NOW), "invalid", JSON.stringify(p));
});

Deno.test("verify() refuses a URL signed under another key, even unexpired", async () => {
  const other = await createDownloadSigner(new Uint8Array(32).fill(8));
  assert.equal(await other.verify(await signed(), NOW), "invalid");
});

Deno.test("parameters cannot be shifted between fields (job 'a&device=b' is not job a, device b)", async () => {
  const signer = await createDownloadSigner(key);
  const sig = await signer.sign({ firmwareId: "f", jobId: "a&device=b", deviceId: "c" }, exp);
  assert.equal(
    await signer.verify({ firmwareId: "f", job: "a", device: "b&device=c", exp: String(exp), sig }, NOW),
    "invalid",
  );
});

Deno.test("createDownloadSigner() refuses a short key", async () => {
  await assert.rejects(() => createDownloadSigner(new Uint8Array(16)), RangeError);
});
