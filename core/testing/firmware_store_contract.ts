/**
 * The contract every `FirmwareStore` passes (the in-memory fake, the file store): staged uploads
 * are invisible until committed, hashed right, limited in size, and read back whole or by range.
 */
import assert from "node:assert/strict";
import { type FirmwareStore, FirmwareTooLargeError } from "../firmware/store.ts";
import { ValidationError } from "../errors.ts";

/** `bytes` as a stream of `chunk`-byte pieces, as a network body arrives. */
export function streamOf(bytes: Uint8Array, chunk = 1000): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at += chunk));
    },
  });
}

export const sampleImage = (size: number): Uint8Array<ArrayBuffer> => {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
};

async function sha256Of(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const read = async (stream: ReadableStream<Uint8Array> | undefined) =>
  stream ? new Uint8Array(await new Response(stream).arrayBuffer()) : undefined;

export const firmwareStoreContract: { name: string; run(store: FirmwareStore): Promise<void> }[] = [
  {
    name: "a staged image is hashed, invisible until committed, then read back whole",
    async run(store) {
      const image = sampleImage(10_007);
      const staged = await store.stage(streamOf(image), { maxBytes: 20_000 });
      assert.equal(staged.sha256, await sha256Of(image));
      assert.equal(staged.size, image.length);
      assert.equal(await store.open(staged.sha256), undefined);
      await staged.commit();
      await staged.discard(); // after commit: a no-op
      assert.equal(await store.sizeOf(staged.sha256), image.length);
      assert.deepEqual(await read(await store.open(staged.sha256)), image);
    },
  },
  {
    name: "a byte span reads exactly those bytes",
    async run(store) {
      const image = sampleImage(5000);
      const staged = await store.stage(streamOf(image, 333), { maxBytes: 5000 });
      await staged.commit();
      for (const [start, end] of [[0, 0], [0, 99], [1234, 4321], [4999, 4999], [10, 4999]] as const) {
        assert.deepEqual(
          await read(await store.open(staged.sha256, { start, end })),
          image.slice(start, end + 1),
        );
      }
    },
  },
  {
    name: "over the limit: FirmwareTooLargeError and nothing stored; an empty body is invalid",
    async run(store) {
      const image = sampleImage(3001);
      await assert.rejects(() => store.stage(streamOf(image), { maxBytes: 3000 }), FirmwareTooLargeError);
      assert.equal(await store.sizeOf(await sha256Of(image)), undefined);
      await assert.rejects(() => store.stage(streamOf(new Uint8Array(0)), { maxBytes: 10 }), ValidationError);
    },
  },
  {
    name: "discarding leaves nothing; the same bytes twice are stored once; remove deletes",
    async run(store) {
      const image = sampleImage(777);
      const dropped = await store.stage(streamOf(image), { maxBytes: 1000 });
      await dropped.discard();
      assert.equal(await store.open(dropped.sha256), undefined);
      const a = await store.stage(streamOf(image), { maxBytes: 1000 });
      const b = await store.stage(streamOf(image, 7), { maxBytes: 1000 });
      await a.commit();
      await b.commit();
      assert.equal(a.sha256, b.sha256);
      assert.deepEqual(await read(await store.open(a.sha256)), image);
      await store.remove(a.sha256);
      await store.remove(a.sha256);
      assert.equal(await store.open(a.sha256), undefined);
      assert.equal(await store.open("../../etc/passwd"), undefined);
    },
  },
];
