/**
 * Keeps secrets out of log lines. Three nets, because a secret reaches a line in three ways: as a
 * field named after it (`password`, `token`, `authorization`), inside text (a connection URL with
 * `user:password@`, `Authorization: Bearer …` in an error, a signed URL's `sig=`, a `whsec_…`
 * webhook secret), or as a value this process knows is secret (the admin password, the passwords
 * of configured engine URLs), wherever it appears.
 */

export const REDACTED = "[redacted]";

/** Field names whose values are never written. */
const SECRET_KEY =
  /pass(word|wd|phrase)?$|^pwd$|secret|token|authorization|cookie|api[-_]?key|signature|^sig$|credential|private[-_]?key|^sasl$/i;

export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

/** Patterns of secrets inside text, each with what replaces the match. */
const TEXT_RULES: [RegExp, string][] = [
  // scheme://user:password@host → scheme://user:[redacted]@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^@\s/]*@/gi, `$1:${REDACTED}@`],
  // Authorization: Bearer <token> / Basic <base64>
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // password=…, token=…, sig=… in query strings, forms and messages; "password":"…" in JSON text
  [
    /\b(pass(?:word|wd)?|pwd|token|access_token|secret|sig|signature|api[-_]?key)(["']?\s*[=:]\s*["']?)[^\s"'&;,)]+/gi,
    `$1$2${REDACTED}`,
  ],
  // Standard Webhooks secrets wherever they are
  [/\bwhsec_[A-Za-z0-9+/=_-]+/g, `whsec_${REDACTED}`],
];

export interface Redactor {
  text(text: string): string;
  /** A field's value: redacted whole when its key names a secret, else its text redacted (deeply). */
  value(key: string, value: unknown): unknown;
}

/**
 * A redactor that also replaces each of `secrets` (values this process holds: configured
 * passwords, keys) and their base64 forms wherever they appear. Empty and very short values are
 * ignored: replacing every "a" would garble lines and protect nothing.
 */
export function createRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const known = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < 6) continue;
    known.add(secret);
    known.add(btoa(String.fromCharCode(...new TextEncoder().encode(secret))));
    known.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const exact = [...known].sort((a, b) => b.length - a.length);
  const text = (input: string): string => {
    let out = input;
    for (const secret of exact) out = out.replaceAll(secret, REDACTED);
    for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
    return out;
  };
  const value = (key: string, input: unknown, depth = 0): unknown => {
    if (isSecretKey(key)) return input === undefined || input === null || input === "" ? input : REDACTED;
    if (typeof input === "string") return text(input);
    if (depth > 4 || input === null || typeof input !== "object") return input;
    if (Array.isArray(input)) return input.map((item) => value("", item, depth + 1));
    return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, value(k, v, depth + 1)]));
  };
  return { text, value: (key, input) => value(key, input) };
}
