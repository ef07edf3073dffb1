/**
 * Time travel for the shadow: the state of one device as it was at a past time, folded from the
 * log with the live read model's own reducer (`evolveDeviceState`), so the two cannot disagree.
 *
 * The reader gives the device's events appended up to that time, per topic, each topic in log
 * order. Folding the device topic before the telemetry topic gives the same row as the live
 * projector's interleaving: telemetry only moves `lastSeen`, which is a maximum, and the events
 * whose order matters (state, connect, disconnect) are all on the device topic, in order.
 */
import type { DomainEvent } from "../../events/catalog.ts";
import { type DeviceStateRow, emptyDeviceState, evolveDeviceState, isStateEvent } from "./model.ts";

/** The shadow of `deviceId` after `topics`' events (chunks of one topic in log order each). */
export async function deviceStateAt(
  deviceId: string,
  topics: readonly AsyncIterable<readonly DomainEvent[]>[],
): Promise<DeviceStateRow> {
  let row: DeviceStateRow | undefined;
  for (const chunks of topics) {
    for await (const events of chunks) {
      for (const event of events) {
        if (event.key === deviceId && isStateEvent(event)) row = evolveDeviceState(row, event);
      }
    }
  }
  return row ?? emptyDeviceState(deviceId);
}
