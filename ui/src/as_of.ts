/** `<input type="datetime-local">` values (local wall-clock time, no zone) to and from instants. */

/** The instant a datetime-local value names, as ISO-8601 (UTC); undefined if empty or invalid. */
export function isoOfLocal(value: string): string | undefined {
  if (!value) return undefined;
  // A date-time without an offset is parsed as local time, which is what the input shows.
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A datetime-local value (to the second) for an instant. */
export function localOfMs(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
