import assert from "node:assert/strict";
import { createDownloadSigner } from "./download_signature.ts";
import { createDownloadUrlFor } from "./download_url.ts";

const NOW = Date.UTC(2026, 10, 30, 12);

Deno.test("downloadUrlFor() builds an absolute signed URL that expires after 24 h by default", async () => {
  const signer = await createDownloadSigner(new Uint8Array(32).fill(1));
  const downloadUrlFor = createDownloadUrlFor({
    signer,
    publicUrl: "https://iot.example.com/",
    now: () => NOW,
  });
  const url = new URL(await downloadUrlFor({ firmwareId: "fw 1", jobId: "job-1", deviceId: "pump:1" }));
  assert.equal(url.origin, "https://iot.example.com");
  assert.equal(url.pathname, "/api/v1/firmware/fw%201/download");
  assert.equal(url.searchParams.get("job"), "job-1");
  assert.equal(url.searchParams.get("device"), "pump:1");
  assert.equal(Number(url.searchParams.get("exp")), NOW / 1000 + 86_400);
  const params = {
    firmwareId: decodeURIComponent(url.pathname.split("/")[4]!),
    job: url.searchParams.get("job")!,
    device: url.searchParams.get("device")!,
    exp: url.searchParams.get("exp")!,
    sig: url.searchParams.get("sig")!,
  };
  assert.equal(await signer.verify(params, NOW), "ok");
  assert.equal(await signer.verify(params, NOW + 86_400_000), "expired");
});

Deno.test("downloadUrlFor() honours a shorter lifetime", async () => {
  const signer = await createDownloadSigner(new Uint8Array(32).fill(1));
  const url = new URL(
    await createDownloadUrlFor({ signer, publicUrl: "http://localhost:8080", ttlMs: 60_000, now: () => NOW })(
      {
        firmwareId: "fw",
        jobId: "j",
        deviceId: "d",
      },
    ),
  );
  assert.equal(Number(url.searchParams.get("exp")), NOW / 1000 + 60);
});
