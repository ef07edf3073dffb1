/**
 * Camera source URLs. The API takes `rtsp://user:pass@host:554/path`; the platform keeps the URL
 * without `user:pass` (shown to clients) and the credentials apart (sealed), and puts them back
 * together only where ffmpeg is started.
 */

/** The parts of an RTSP URL, or why it is not one. */
export type ParsedSource =
  | { ok: true; url: string; host: string; credentials?: string }
  | { ok: false; reason: string };

/**
 * Splits `text` into the URL without credentials, its host (for the address check) and
 * `user:password` (percent-encoded as given). Only `rtsp:`/`rtsps:` URLs with a host are sources.
 */
export function parseRtspSource(text: string): ParsedSource {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "expected an rtsp:// URL" };
  }
  if (url.protocol !== "rtsp:" && url.protocol !== "rtsps:") {
    return { ok: false, reason: `expected an rtsp:// URL, not ${url.protocol}` };
  }
  if (url.hostname === "") return { ok: false, reason: "expected an rtsp:// URL with a host" };
  if (/[\s]/.test(text)) return { ok: false, reason: "expected a URL without white space" };
  const credentials = url.username === "" && url.password === ""
    ? undefined
    : `${url.username}:${url.password}`;
  url.username = "";
  url.password = "";
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { ok: true, url: url.toString(), host, ...(credentials === undefined ? {} : { credentials }) };
}

/** `url` (without credentials) with `credentials` (`user:password`, percent-encoded) put back. */
export function sourceWithCredentials(url: string, credentials: string | undefined): string {
  if (credentials === undefined) return url;
  const at = url.indexOf("://");
  return `${url.slice(0, at + 3)}${credentials}@${url.slice(at + 3)}`;
}
