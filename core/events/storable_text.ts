/**
 * Text every store can keep. PostgreSQL refuses U+0000 in `text` columns (SQLSTATE 22021), so an
 * event with a NUL in a field the read models keep as text (a device name, a label, a dead-letter
 * reason) is accepted by the log and then refused by the projection: a poison record, and a
 * registration answered 201 whose device never appears. Writers refuse NUL in fields that come
 * from input (names, labels, a device's error text) and escape it in text they compose around
 * input (reasons quoting a topic or a metric name): a reason must never make its own event
 * unwritable. JSON documents need nothing: they are stored as JSON text, where NUL is `\u0000`.
 *
 * Free text shown to people (names, label values) refuses every C0 control character and DEL at
 * the API, where they make no sense; the event schemas refuse only NUL, so events already in a
 * log with a tab in a name still replay.
 */

/** Anything but U+0000. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
export const NO_NUL = /^[^\u0000]*$/;
export const NO_NUL_MESSAGE = "must not contain NUL (U+0000)";

/** No C0 control character (U+0000–U+001F) and no DEL (U+007F). */
// deno-lint-ignore no-control-regex -- matching control characters is the point
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;
export const NO_CONTROL_CHARACTERS_MESSAGE = "must not contain control characters (U+0000-U+001F, U+007F)";

/**
 * `text` with each control character written as a `\uXXXX` escape, for text that quotes input
 * (a rejection reason, a topic) and must be kept, not refused.
 */
export function escapeControlCharacters(text: string): string {
  return text.replaceAll(
    // deno-lint-ignore no-control-regex -- matching control characters is the point
    /[\u0000-\u001f\u007f]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
