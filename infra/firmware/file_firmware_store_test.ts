import assert from "node:assert/strict";
import { firmwareStoreContract, sampleImage, streamOf } from "../../core/testing/firmware_store_contract.ts";
import { FirmwareTooLargeError } from "../../core/firmware/store.ts";
import { openFileFirmwareStore } from "./file_firmware_store.ts";

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

for (const c of firmwareStoreContract) {
  Deno.test(`file firmware store: ${c.name}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "aiot-firmware-" });
    try {
      await c.run(await openFileFirmwareStore(dir));
      assert.deepEqual(await entries(`${dir}/.incoming`), [], "no temporary file left behind");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("file firmware store: an upload over the limit or broken mid-way leaves no file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aiot-firmware-" });
  try {
    const store = await openFileFirmwareStore(dir);
    await assert.rejects(
      () => store.stage(streamOf(sampleImage(300_000)), { maxBytes: 100_000 }),
      FirmwareTooLargeError,
    );
    let sent = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === 3) return controller.error(new Error("connection reset"));
        controller.enqueue(new Uint8Array(1000));
      },
    });
    await assert.rejects(() => store.stage(broken, { maxBytes: 100_000 }), /connection reset/);
    assert.deepEqual(await entries(dir), [".incoming"]);
    assert.deepEqual(await entries(`${dir}/.incoming`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file firmware store: images live at <dir>/<sha256>; a cancelled read releases the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aiot-firmware-" });
  try {
    const store = await openFileFirmwareStore(dir);
    const staged = await store.stage(streamOf(sampleImage(200_000)), { maxBytes: 1_000_000 });
    await staged.commit();
    assert.deepEqual(await entries(dir), [".incoming", staged.sha256]);
    for (const span of [undefined, { start: 10, end: 199_999 }, { start: 10, end: 20_000 }]) {
      const stream = (await store.open(staged.sha256, span))!;
      const reader = stream.getReader();
      await reader.read();
      await reader.cancel();
    }
    // The file can be removed and the directory deleted: no handle pins it (checked on Linux by
    // the absence of errors; the leak check of Deno.test would flag an open file too).
    await store.remove(staged.sha256);
    assert.deepEqual(await entries(dir), [".incoming"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
