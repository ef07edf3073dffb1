/**
 * The `FirmwareStore` port in memory, for API tests: images are byte arrays keyed by digest. It
 * hashes with WebCrypto once the whole (small) body is in, which a real store must never do.
 */
import { ValidationError } from "../errors.ts";
import {
  type ByteSpan,
  type FirmwareStore,
  FirmwareTooLargeError,
  SHA256_HEX,
  type StagedImage,
} from "../firmware/store.ts";

const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

export interface InMemoryFirmwareStore extends FirmwareStore {
  /** Digests of the committed images. */
  digests(): string[];
  /** Uploads staged and neither committed nor discarded. */
  pending(): number;
}

export function createInMemoryFirmwareStore(): InMemoryFirmwareStore {
  const images = new Map<string, Uint8Array<ArrayBuffer>>();
  let pending = 0;
  return {
    async stage(body, { maxBytes }): Promise<StagedImage> {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        size += chunk.length;
        if (size > maxBytes) throw new FirmwareTooLargeError(`Firmware images are at most ${maxBytes} bytes`);
        chunks.push(chunk);
      }
      if (size === 0) throw new ValidationError("Cannot store firmware: the body is empty");
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const chunk of chunks) bytes.set(chunk, (at += chunk.length) - chunk.length);
      const sha256 = hex(await crypto.subtle.digest("SHA-256", bytes));
      let open = true;
      pending++;
      const settle = () => open && (open = false, pending--);
      return {
        sha256,
        size,
        commit: () => {
          if (open && !images.has(sha256)) images.set(sha256, bytes);
          settle();
          return Promise.resolve();
        },
        discard: () => (settle(), Promise.resolve()),
      };
    },
    open(sha256, span?: ByteSpan) {
      const bytes = SHA256_HEX.test(sha256) ? images.get(sha256) : undefined;
      if (!bytes) return Promise.resolve(undefined);
      const part = span ? bytes.slice(span.start, span.end + 1) : bytes.slice();
      // In 1 KiB pieces, as a file or socket would deliver them (a reader can stop halfway).
      let at = 0;
      return Promise.resolve(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (at >= part.length) return controller.close();
            controller.enqueue(part.slice(at, at += 1024));
          },
        }),
      );
    },
    sizeOf: (sha256) => Promise.resolve(images.get(sha256)?.length),
    remove: (sha256) => (images.delete(sha256), Promise.resolve()),
    digests: () => [...images.keys()],
    pending: () => pending,
  };
}
