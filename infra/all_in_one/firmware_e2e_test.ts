// deno-lint-ignore-file no-explicit-any -- API answers are JSON checked field by field
/**
 * The firmware store end to end over real HTTP: the all-in-one in process (embedded engines, then
 * Kafka and PostgreSQL with a private database and topic prefix) storing uploads under
 * `{dataDir}/firmware/<sha256>`, refusing an upload over `AIOT_FIRMWARE_MAX_BYTES` with nothing
 * left on disk, and serving signed per-job downloads (`downloadUrlFor`, as the `ota` processor
 * gets it) with `Range` over a real socket.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type InProcessPlatform, startInProcess } from "./in_process.ts";
import { withKafkaPostgresPlatform } from "./_kafka_platform.ts";

const LIMIT = 3 * 1024 * 1024;
const env = { AIOT_FIRMWARE_MAX_BYTES: String(LIMIT) };

/** `size` bytes of a fixed pattern, streamed in 64 KiB chunks (a chunked upload: no Content-Length). */
function patternStream(size: number, seed = 1): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(65_536, size - sent));
      for (let i = 0; i < chunk.length; i++) chunk[i] = ((sent + i) * seed + 7) & 0xff;
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

async function sha256Of(stream: ReadableStream<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
}

async function files(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

async function firmwareFlow(h: InProcessPlatform): Promise<void> {
  const auth = { authorization: h.headers.authorization! };
  const upload = (query: string, body: BodyInit) =>
    fetch(`${h.base}/api/v1/firmware?${query}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/octet-stream" },
      body,
    });
  const size = 2 * 1024 * 1024 + 123;
  const expected = await sha256Of(patternStream(size));

  const created = await upload("name=th-10&version=1.2.0", patternStream(size));
  assert.equal(created.status, 201, await created.clone().text());
  const image = await created.json();
  assert.deepEqual({ sha256: image.sha256, size: image.size }, expected);
  const dir = `${h.dataDir}/firmware`;
  assert.deepEqual(await files(dir), [".incoming", expected.sha256].sort());

  const list = await (await fetch(`${h.base}/api/v1/firmware`, { headers: auth })).json();
  assert.deepEqual(list.items.map((i: any) => i.id), [image.id]);
  const duplicate = await upload("name=th-10&version=1.2.0", patternStream(10));
  assert.equal(duplicate.status, 409);
  await duplicate.body?.cancel();

  // Over the limit, chunked (the limit is found while streaming) and declared (refused at once).
  const chunked = await upload("name=th-10&version=9", patternStream(LIMIT + 1, 3));
  assert.equal(chunked.status, 413);
  assert.equal((await chunked.json()).error.code, "payload_too_large");
  const declared = await upload("name=th-10&version=9", new Uint8Array(LIMIT + 1));
  assert.equal(declared.status, 413);
  await declared.body?.cancel();
  assert.deepEqual(await files(dir), [".incoming", expected.sha256].sort(), "nothing left on disk");
  assert.deepEqual(await files(`${dir}/.incoming`), []);

  // A device's download: the signed URL of one job, as the ota processor makes it.
  const signed = new URL(
    await h.platform.firmware!.downloadUrlFor({ firmwareId: image.id, jobId: "job-1", deviceId: "pump-1" }),
  );
  const url = `${h.base}${signed.pathname}${signed.search}`;
  const whole = await fetch(url);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get("etag"), `"${expected.sha256}"`);
  assert.deepEqual(await sha256Of(whole.body!), expected);

  // Cut after ~1 MiB, then resumed with bytes=N-: the two parts hash to the image.
  const hash = createHash("sha256");
  let have = 0;
  const first = (await fetch(url)).body!.getReader();
  while (have < 1024 * 1024) {
    const { value } = await first.read();
    hash.update(value!);
    have += value!.length;
  }
  await first.cancel();
  const rest = await fetch(url, { headers: { range: `bytes=${have}-`, "if-range": `"${expected.sha256}"` } });
  assert.equal(rest.status, 206);
  assert.equal(rest.headers.get("content-range"), `bytes ${have}-${size - 1}/${size}`);
  for await (const chunk of rest.body!) hash.update(chunk);
  assert.equal(hash.digest("hex"), expected.sha256);

  const middle = await fetch(url, { headers: { range: "bytes=1000-1999" } });
  assert.equal(middle.status, 206);
  assert.equal((await middle.arrayBuffer()).byteLength, 1000);
  const beyond = await fetch(url, { headers: { range: `bytes=${size}-` } });
  assert.equal(beyond.status, 416);
  await beyond.body?.cancel();

  const tampered = new URL(url);
  tampered.searchParams.set("job", "job-2");
  const refused = await fetch(tampered);
  assert.equal(refused.status, 403);
  await refused.body?.cancel();

  const deleted = await fetch(`${h.base}/api/v1/firmware/${image.id}`, { method: "DELETE", headers: auth });
  assert.equal(deleted.status, 204);
  assert.deepEqual(await files(dir), [".incoming"], "the bytes go with the last image using them");
  const gone = await fetch(url);
  assert.equal(gone.status, 404);
  await gone.body?.cancel();
}

Deno.test({
  name: "e2e firmware [embedded]: upload, limit, signed Range downloads, delete",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const h = await startInProcess({ env });
    try {
      await firmwareFlow(h);
    } finally {
      await h.close();
    }
  },
});

Deno.test({
  name: "e2e firmware [Kafka + PostgreSQL]: upload, limit, signed Range downloads, delete",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => withKafkaPostgresPlatform("firmware", firmwareFlow, env),
});
