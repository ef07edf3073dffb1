/**
 * The `FirmwareStore` on the file system (a volume in compose): images at `<dir>/<sha256>`,
 * uploads streamed to `<dir>/.incoming/` first while `node:crypto` hashes them chunk by chunk
 * (WebCrypto's digest is one-shot), so an upload of any size costs a chunk of memory. `commit`
 * fsyncs and renames into place (atomic within the directory); a refused or broken upload removes
 * its temporary file. Reads are streams pulled from the file: a whole image or one up to its end
 * is the file's own `readable`, which `Deno.serve` pipes from the file without copying chunks
 * through JavaScript; a bounded span reads exactly its bytes.
 */
import { createHash } from "node:crypto";
import { ValidationError } from "../../core/errors.ts";
import {
  type ByteSpan,
  type FirmwareStore,
  FirmwareTooLargeError,
  SHA256_HEX,
  type StagedImage,
} from "../../core/firmware/store.ts";

const CHUNK_BYTES = 64 * 1024;
/** Leftovers of a crashed process older than this are swept at open. */
const STALE_INCOMING_MS = 24 * 3_600_000;

async function removeIfThere(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
}

/**
 * The chunks of `body`. A byte stream (a request body) is read into one reused buffer: each
 * chunk is valid until the next is pulled, and an upload of any size allocates nothing per chunk.
 * Read chunk by chunk, a 100 MB upload left ~100 MB of garbage buffers behind, which the
 * process's RSS kept (measured in `infra/all_in_one/firmware_memory_test.ts`).
 */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = body.getReader({ mode: "byob" });
  } catch {
    yield* body; // not a byte stream
    return;
  }
  let buffer = new Uint8Array(CHUNK_BYTES * 4);
  try {
    for (;;) {
      const { value, done } = await reader.read(buffer);
      if (done || !value) return;
      yield value;
      buffer = new Uint8Array(value.buffer); // the same memory, handed back by the read
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Reads bytes `start`..`end` of `file` (closing it at the end or on cancel), as they are pulled. */
function spanStream(file: Deno.FsFile, span: ByteSpan): ReadableStream<Uint8Array> {
  let left = span.end - span.start + 1;
  let closed = false;
  const close = () => (closed ? undefined : (closed = true, file.close()));
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(Math.min(CHUNK_BYTES, left));
      const n = await file.read(buffer);
      if (n === null || n === 0) {
        close();
        return controller.error(new Error("Firmware image ended before the requested range"));
      }
      left -= n;
      controller.enqueue(n === buffer.length ? buffer : buffer.subarray(0, n));
      if (left === 0) {
        close();
        controller.close();
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
}

/** A store under `dir` (created when missing). */
export async function openFileFirmwareStore(dir: string): Promise<FirmwareStore> {
  const incoming = `${dir}/.incoming`;
  await Deno.mkdir(incoming, { recursive: true });
  for await (const entry of Deno.readDir(incoming)) {
    const path = `${incoming}/${entry.name}`;
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.mtime && Date.now() - info.mtime.getTime() > STALE_INCOMING_MS) await removeIfThere(path);
  }
  const pathOf = (sha256: string) => SHA256_HEX.test(sha256) ? `${dir}/${sha256}` : undefined;

  return {
    async stage(body, { maxBytes }): Promise<StagedImage> {
      const draft = `${incoming}/${crypto.randomUUID()}`;
      const file = await Deno.open(draft, { write: true, createNew: true, mode: 0o640 });
      const hash = createHash("sha256");
      let size = 0;
      let ok = false;
      try {
        // The next chunk is pulled only after this one is on disk: the sender is held back by
        // TCP flow control rather than buffered here.
        for await (const chunk of chunksOf(body)) {
          size += chunk.length;
          if (size > maxBytes) {
            throw new FirmwareTooLargeError(`Firmware images are at most ${maxBytes} bytes`);
          }
          hash.update(chunk);
          await writeAll(file, chunk);
        }
        if (size === 0) throw new ValidationError("Cannot store firmware: the body is empty");
        await file.syncData();
        ok = true;
      } finally {
        file.close();
        if (!ok) await removeIfThere(draft);
      }
      const sha256 = hash.digest("hex");
      let settled = false;
      return {
        sha256,
        size,
        async commit() {
          if (settled) return;
          settled = true;
          // Same name, same bytes: replacing an existing image is harmless and keeps it atomic.
          await Deno.rename(draft, `${dir}/${sha256}`);
        },
        async discard() {
          if (settled) return;
          settled = true;
          await removeIfThere(draft);
        },
      };
    },

    async open(sha256, span) {
      const path = pathOf(sha256);
      if (!path) return undefined;
      let file: Deno.FsFile;
      try {
        file = await Deno.open(path, { read: true });
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
      try {
        if (!span) return file.readable;
        const { size } = await file.stat();
        if (span.start > 0) await file.seek(span.start, Deno.SeekMode.Start);
        return span.end >= size - 1 ? file.readable : spanStream(file, span);
      } catch (error) {
        file.close();
        throw error;
      }
    },

    async sizeOf(sha256) {
      const path = pathOf(sha256);
      if (!path) return undefined;
      try {
        return (await Deno.stat(path)).size;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
    },

    async remove(sha256) {
      const path = pathOf(sha256);
      if (path) await removeIfThere(path);
    },
  };
}
