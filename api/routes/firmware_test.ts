import assert from "node:assert/strict";
import { createDownloadSigner, createDownloadUrlFor, type DownloadUrlFor } from "../../core/firmware/mod.ts";
import {
  createInMemoryFirmwareStore,
  type InMemoryFirmwareStore,
} from "../../core/testing/in_memory_firmware_store.ts";
import { sampleImage } from "../../core/testing/firmware_store_contract.ts";
import { createTestApp, type TestApp } from "../_test_app.ts";

const IMAGE = sampleImage(5000);

interface Fixture {
  t: TestApp;
  store: InMemoryFirmwareStore;
  downloadUrlFor: DownloadUrlFor;
  inUse: Set<string>;
}

async function fixture(maxBytes = 8000): Promise<Fixture> {
  const store = createInMemoryFirmwareStore();
  const signer = await createDownloadSigner(new Uint8Array(32).fill(3));
  const inUse = new Set<string>();
  const t = await createTestApp({
    firmware: { store, signer, maxBytes, firmwareInUse: (id) => Promise.resolve(inUse.has(id)) },
  });
  const downloadUrlFor = createDownloadUrlFor({
    signer,
    publicUrl: "http://aiot.test",
    now: () => t.clock.t,
  });
  return { t, store, downloadUrlFor, inUse };
}

function upload(
  t: TestApp,
  query: string,
  body: BodyInit | null,
  headers: Record<string, string> = { "content-type": "application/octet-stream" },
  as = "operator",
): Promise<Response> {
  return Promise.resolve(t.app.request(`/api/v1/firmware?${query}`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.tokens[as as "operator"]}`, ...headers },
    body,
  }));
}

/** GET of a signed URL (the path and query; no credentials). */
const download = (t: TestApp, url: string, headers: Record<string, string> = {}) => {
  const { pathname, search } = new URL(url);
  return Promise.resolve(t.app.request(pathname + search, { headers }));
};

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function published(
  f: Fixture,
  version = "1.2.0",
): Promise<{ id: string; sha256: string; size: number }> {
  const response = await upload(f.t, `name=th-10&version=${version}`, IMAGE);
  assert.equal(response.status, 201, await response.clone().text());
  return await response.json();
}

Deno.test("POST /firmware stores the image: 201 with its digest, listed, fetched, downloadable", async () => {
  const f = await fixture();
  const created = await published(f);
  assert.equal(created.size, IMAGE.length);
  assert.equal(created.sha256, await sha256Hex(IMAGE));
  const list = await (await f.t.call("GET", "/api/v1/firmware", { as: "viewer" })).json();
  assert.deepEqual(list.items.map((i: { id: string }) => i.id), [created.id]);
  const one = await (await f.t.call("GET", `/api/v1/firmware/${created.id}`, { as: "viewer" })).json();
  assert.deepEqual(Object.keys(one).sort(), ["createdAt", "id", "name", "sha256", "size", "version"]);
  assert.deepEqual(one, created);
  const event = f.t.appended.at(-1)!;
  assert.equal(event.type, "firmware.published");
  assert.equal(event.key, created.id);

  const url = await f.downloadUrlFor({ firmwareId: created.id, jobId: "job-1", deviceId: "pump-1" });
  const response = await download(f.t, url);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("accept-ranges"), "bytes");
  assert.equal(response.headers.get("etag"), `"${created.sha256}"`);
  assert.equal(response.headers.get("content-length"), String(IMAGE.length));
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.equal(await sha256Hex(bytes), created.sha256);
});

Deno.test("POST /firmware: the same name and version again is 409, before and after streaming", async () => {
  const f = await fixture();
  await published(f);
  const again = await upload(f.t, "name=th-10&version=1.2.0", sampleImage(10));
  assert.equal(again.status, 409);
  assert.equal((await again.json()).error.code, "conflict");
  // Two at once: one 201, one 409, and the loser's bytes are not kept.
  const [a, b] = await Promise.all([
    upload(f.t, "name=th-10&version=2.0.0", sampleImage(100)),
    upload(f.t, "name=th-10&version=2.0.0", sampleImage(200)),
  ]);
  assert.deepEqual([a.status, b.status].sort(), [201, 409]);
  assert.equal(f.store.digests().length, 2);
  assert.equal(f.store.pending(), 0);
});

Deno.test("POST /firmware: over the limit is 413 (declared or streamed), and nothing is kept", async () => {
  const f = await fixture(4000);
  const declared = await upload(f.t, "name=a&version=1", IMAGE);
  assert.equal(declared.status, 413);
  assert.equal((await declared.json()).error.code, "payload_too_large");
  const chunked = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(1000));
      controller.close();
    },
  });
  const streamed = await upload(f.t, "name=a&version=1", chunked);
  assert.equal(streamed.status, 413);
  assert.deepEqual(f.store.digests(), []);
  assert.equal(f.store.pending(), 0);
  assert.equal(f.t.appended.filter((e) => e.type === "firmware.published").length, 0);
});

Deno.test("POST /firmware: bigger than 1 MiB passes the app-wide body limit; JSON routes keep it", async () => {
  const f = await fixture(3 * 1024 * 1024);
  const big = sampleImage(2 * 1024 * 1024);
  const response = await upload(f.t, "name=big&version=1", big);
  assert.equal(response.status, 201, await response.clone().text());
  const json = await Promise.resolve(f.t.app.request("/api/v1/devices", {
    method: "POST",
    headers: { authorization: `Bearer ${f.t.tokens.operator}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "x".repeat(1_100_000) }),
  }));
  assert.equal(json.status, 413);
});

Deno.test("POST /firmware: bad input — content type, empty body, name, role", async () => {
  const f = await fixture();
  assert.equal(
    (await upload(f.t, "name=a&version=1", IMAGE, { "content-type": "application/json" })).status,
    415,
  );
  assert.equal((await upload(f.t, "name=a&version=1", IMAGE, {})).status, 415);
  assert.equal((await upload(f.t, "name=a&version=1", new Uint8Array(0))).status, 400);
  assert.equal((await upload(f.t, "version=1", IMAGE)).status, 400);
  assert.equal((await upload(f.t, "name=a&version=", IMAGE)).status, 400);
  assert.equal((await upload(f.t, "name=a&version=1", IMAGE, undefined, "viewer")).status, 403);
  assert.deepEqual(f.store.digests(), []);
});

Deno.test("GET …/download: Range — first bytes, middle, suffix, resume after a cut, 416", async () => {
  const f = await fixture();
  const { id, sha256 } = await published(f);
  const url = await f.downloadUrlFor({ firmwareId: id, jobId: "job-1", deviceId: "pump-1" });
  const part = async (range: string, status: number, contentRange: string, expected: Uint8Array) => {
    const response = await download(f.t, url, { range });
    assert.equal(response.status, status, range);
    assert.equal(response.headers.get("content-range"), contentRange, range);
    assert.equal(response.headers.get("content-length"), String(expected.length), range);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), expected, range);
  };
  await part("bytes=0-99", 206, "bytes 0-99/5000", IMAGE.slice(0, 100));
  await part("bytes=1000-2999", 206, "bytes 1000-2999/5000", IMAGE.slice(1000, 3000));
  await part("bytes=-10", 206, "bytes 4990-4999/5000", IMAGE.slice(4990));

  // A download cut halfway, resumed with bytes=N- against the ETag: the halves make the image.
  const first = await download(f.t, url);
  const reader = first.body!.getReader();
  const got: Uint8Array<ArrayBuffer>[] = [];
  let have = 0;
  while (have < 2500) {
    const { value } = await reader.read();
    got.push(value! as Uint8Array<ArrayBuffer>);
    have += value!.length;
  }
  await reader.cancel();
  const rest = await download(f.t, url, { range: `bytes=${have}-`, "if-range": `"${sha256}"` });
  assert.equal(rest.status, 206);
  const whole = new Uint8Array(await new Blob([...got, await rest.arrayBuffer()]).arrayBuffer());
  assert.equal(await sha256Hex(whole), sha256);

  const unsatisfiable = await download(f.t, url, { range: "bytes=5000-" });
  assert.equal(unsatisfiable.status, 416);
  assert.equal(unsatisfiable.headers.get("content-range"), "bytes */5000");
  assert.equal((await unsatisfiable.json()).error.code, "range_not_satisfiable");
  // A stale If-Range gets the whole current image instead of a splice.
  const stale = await download(f.t, url, { range: "bytes=100-", "if-range": `"${"0".repeat(64)}"` });
  assert.equal(stale.status, 200);
  assert.equal((await stale.arrayBuffer()).byteLength, 5000);
  const head = await Promise.resolve(
    f.t.app.request(new URL(url).pathname + new URL(url).search, { method: "HEAD" }),
  );
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), "5000");
});

Deno.test("GET …/download: tampered, another job, another device, unsigned or expired → 403", async () => {
  const f = await fixture();
  const { id } = await published(f);
  const url = new URL(await f.downloadUrlFor({ firmwareId: id, jobId: "job-1", deviceId: "pump-1" }));
  const variant = (change: (u: URL) => void) => {
    const copy = new URL(url);
    change(copy);
    return copy.toString();
  };
  const refused = [
    variant((u) => u.searchParams.set("job", "job-2")),
    variant((u) => u.searchParams.set("device", "pump-2")),
    variant((u) => u.searchParams.set("exp", String(Number(u.searchParams.get("exp")) + 3600))),
    variant((u) =>
      u.searchParams.set("sig", u.searchParams.get("sig")!.replace(/^./, (c) => c === "A" ? "B" : "A"))
    ),
    variant((u) => u.searchParams.delete("sig")),
    variant((u) => (u.search = "")),
  ];
  for (const bad of refused) {
    const response = await download(f.t, bad);
    assert.equal(response.status, 403, bad);
    assert.equal((await response.json()).error.code, "forbidden");
  }
  // Another image with the same signature.
  const other = await published(f, "9.9.9");
  const moved = url.toString().replace(id, other.id);
  assert.equal((await download(f.t, moved)).status, 403);
  // Expired: 24 h later.
  f.t.clock.t += 24 * 3_600_000;
  const expired = await download(f.t, url.toString());
  assert.equal(expired.status, 403);
  assert.match((await expired.json()).error.message, /expired/);
});

Deno.test("DELETE /firmware/{id}: 409 while a campaign uses it, then gone (bytes too) and 404", async () => {
  const f = await fixture();
  const { id } = await published(f);
  const twin = await upload(f.t, "name=twin&version=1", IMAGE); // same bytes, another release
  const twinId = (await twin.json()).id;
  f.inUse.add(id);
  assert.equal((await f.t.call("DELETE", `/api/v1/firmware/${id}`, { as: "operator" })).status, 409);
  f.inUse.delete(id);
  assert.equal((await f.t.call("DELETE", `/api/v1/firmware/${id}`, { as: "operator" })).status, 204);
  assert.equal((await f.t.call("GET", `/api/v1/firmware/${id}`, { as: "viewer" })).status, 404);
  assert.equal(f.store.digests().length, 1, "the twin still holds the bytes");
  assert.equal((await f.t.call("DELETE", `/api/v1/firmware/${twinId}`, { as: "operator" })).status, 204);
  assert.deepEqual(f.store.digests(), []);
  assert.equal((await f.t.call("DELETE", `/api/v1/firmware/${id}`, { as: "operator" })).status, 404);
  const url = await f.downloadUrlFor({ firmwareId: id, jobId: "job-1", deviceId: "pump-1" });
  assert.equal((await download(f.t, url)).status, 404);
});

Deno.test("the firmware routes are documented: an octet-stream upload and a public download", async () => {
  const f = await fixture();
  const doc = await (await f.t.call("GET", "/api/v1/openapi.json")).json();
  const post = doc.paths["/api/v1/firmware"].post;
  assert.deepEqual(post.requestBody.content["application/octet-stream"].schema, {
    type: "string",
    format: "binary",
  });
  assert.ok(post.responses["413"]);
  assert.equal(post.responses["415"].description, "The body is not application/octet-stream");
  assert.deepEqual(doc.paths["/api/v1/firmware/{id}/download"].get.security, []);
});
