/**
 * Topic permissions of a device (design §6): it may publish and subscribe only under
 * `devices/{its id}/`. Wildcards are fine inside that prefix and never in it, so a device can
 * not reach another device's topics through `+` or `#`, nor `$SYS`. Control characters are
 * refused anywhere: MQTT forbids NUL in topics (MQTT-4.7.3-2) and advises against the rest, and a
 * refused topic is quoted in dead letters and disconnect reasons kept as text.
 */

/** The topic prefix a device owns, e.g. `devices/dev-1/`. */
export function devicePrefix(deviceId: string): string {
  return `devices/${deviceId}/`;
}

/** C0 controls, DEL and C1 controls (MQTT 3.1.1 §1.5.3 forbids U+0000 and advises against the rest). */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** True when `deviceId` may publish on `topic` (a concrete topic without wildcards). */
export function mayPublish(deviceId: string, topic: string): boolean {
  return topic.startsWith(devicePrefix(deviceId)) && !/[+#]/.test(topic) && !CONTROL_CHARACTERS.test(topic);
}

/**
 * True when `deviceId` may subscribe to `filter`. The prefix is compared literally, so a
 * wildcard can only stand after it (`devices/dev-1/#`, `devices/dev-1/commands/+`).
 */
export function maySubscribe(deviceId: string, filter: string): boolean {
  const prefix = devicePrefix(deviceId);
  if (!filter.startsWith(prefix) || CONTROL_CHARACTERS.test(filter)) return false;
  const rest = filter.slice(prefix.length).split("/");
  // MQTT itself demands `#` be the last level and wildcards fill a whole level; refuse the rest.
  return rest.every((level, i) =>
    level === "+" || (level === "#" && i === rest.length - 1) || !/[+#]/.test(level)
  );
}

/** Device ids as they may appear inside a topic (same rule as the event catalog's entity ids). */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
