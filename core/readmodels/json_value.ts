/** JSON values as read models store them (state documents, command parameters and results). */

/** A JSON value as stored in state documents and command results. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object: reported/desired state, command parameters. */
export type JsonObject = { [key: string]: JsonValue };
