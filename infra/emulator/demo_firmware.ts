/**
 * The demo's firmware image, so an OTA campaign can be shown from the dashboard right after
 * `deno task start --demo`: `demo-firmware` `1.1.0`, 256 KiB of seeded bytes, published the way
 * `POST /firmware` publishes (staged and hashed by the firmware store, committed, then
 * `firmware.published` on the ota topic) unless that release exists already.
 */
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import type { FirmwareStore } from "../../core/firmware/mod.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { findFirmwareRelease, type ReadModelStore } from "../../core/readmodels/mod.ts";

export const DEMO_FIRMWARE = { name: "demo-firmware", version: "1.1.0", size: 256 * 1024 } as const;

/** Deterministic bytes: the same image (and sha256) on every demo. */
function demoImage(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = Uint8Array.from(
        { length: Math.min(65_536, size - sent) },
        (_, i) => ((sent + i) * 2654435761) >>> 24,
      );
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

export interface DemoFirmwareDeps {
  log: EventLog;
  readModels: ReadModelStore;
  store: FirmwareStore;
  otaTopic: string;
}

/** Publishes the demo image unless it exists; resolves with its firmware id (once projected). */
export async function ensureDemoFirmware(deps: DemoFirmwareDeps, timeoutMs = 10_000): Promise<string> {
  const { name, version, size } = DEMO_FIRMWARE;
  const existing = await findFirmwareRelease(deps.readModels, name, version);
  if (existing) return existing.id;
  const staged = await deps.store.stage(demoImage(size), { maxBytes: size });
  try {
    await staged.commit();
    const firmwareId = crypto.randomUUID();
    await deps.log.append(deps.otaTopic, [
      toLogMessage(createEvent(
        "firmware.published",
        { firmwareId, name, version, sha256: staged.sha256, size: staged.size, by: "demo" },
        { key: firmwareId, source: "demo" },
      )),
    ]);
    for (
      const deadline = Date.now() + timeoutMs;
      !(await findFirmwareRelease(deps.readModels, name, version));
    ) {
      if (Date.now() > deadline) {
        throw new Error(`The demo firmware did not reach the firmware read model in time`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return firmwareId;
  } finally {
    await staged.discard(); // nothing after a commit
  }
}
