/**
 * Topic permissions of a device (design §6): it may publish and subscribe only under
 * `devices/{its id}/`. Wildcards are fine inside that prefix and never in it, so a device can
 * not reach another device's topics through `+` or `#`, nor `$SYS`.
 */

/** The topic prefix a device owns, e.g. `devices/dev-1/`. */
export function devicePrefix(deviceId: string): string {
  return `devices/${deviceId}/`;
}

/** True when `deviceId` may publish on `topic` (a concrete topic without wildcards). */
export function mayPublish(deviceId: string, topic: string): boolean {
  return topic.startsWith(devicePrefix(deviceId)) && !/[+#]/.test(topic);
}

/**
 * True when `deviceId` may subscribe to `filter`. The prefix is compared literally, so a
 * wildcard can only stand after it (`devices/dev-1/#`, `devices/dev-1/commands/+`).
 */
export function maySubscribe(deviceId: string, filter: string): boolean {
  const prefix = devicePrefix(deviceId);
  if (!filter.startsWith(prefix)) return false;
  const rest = filter.slice(prefix.length).split("/");
  // MQTT itself demands `#` be the last level and wildcards fill a whole level; refuse the rest.
  return rest.every((level, i) =>
    level === "+" || (level === "#" && i === rest.length - 1) || !/[+#]/.test(level)
  );
}

/** Device ids as they may appear inside a topic (same rule as the event catalog's entity ids). */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
