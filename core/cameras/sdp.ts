/**
 * Just enough SDP (RFC 8866) for the WHEP bridge: a description as its session lines and its
 * media sections, each a list of lines, with lookups of attributes and codecs.
 */

export interface MediaSection {
  /** `video`, `audio`, `application`. */
  kind: string;
  /** The payload types of the `m=` line, in order. */
  formats: string[];
  lines: string[];
}

export interface SessionDescription {
  session: string[];
  media: MediaSection[];
}

export function parseSdp(text: string): SessionDescription {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
  const session: string[] = [];
  const media: MediaSection[] = [];
  for (const line of lines) {
    if (line.startsWith("m=")) {
      const [kind = "", , , ...formats] = line.slice(2).split(" ");
      media.push({ kind, formats, lines: [line] });
    } else if (media.length > 0) media.at(-1)!.lines.push(line);
    else session.push(line);
  }
  return { session, media };
}

/** The values of `a=<name>:…` (or `a=<name>`, as "") among `lines`. */
export function attributes(lines: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line === `a=${name}`) out.push("");
    else if (line.startsWith(`a=${name}:`)) out.push(line.slice(name.length + 3));
  }
  return out;
}

/** The first value of `a=<name>` in the media section, else in the session. */
export function attribute(sdp: SessionDescription, section: MediaSection, name: string): string | undefined {
  return attributes(section.lines, name)[0] ?? attributes(sdp.session, name)[0];
}

/** A payload type of a media section: its codec name (upper case), clock rate and fmtp. */
export interface Codec {
  pt: string;
  name: string;
  clockRate: string;
  fmtp: string;
  feedback: string[];
}

export function codecsOf(section: MediaSection): Codec[] {
  const rtpmap = new Map(
    attributes(section.lines, "rtpmap").map((v) => {
      const [pt = "", spec = ""] = v.split(" ");
      return [pt, spec] as const;
    }),
  );
  const fmtp = new Map(
    attributes(section.lines, "fmtp").map((v) => {
      const space = v.indexOf(" ");
      return [v.slice(0, space), v.slice(space + 1)] as const;
    }),
  );
  const feedback = attributes(section.lines, "rtcp-fb");
  return section.formats.map((pt) => {
    const [name = "", clockRate = ""] = (rtpmap.get(pt) ?? "").split("/");
    return {
      pt,
      name: name.toUpperCase(),
      clockRate,
      fmtp: fmtp.get(pt) ?? "",
      feedback: feedback.filter((v) => v.startsWith(`${pt} `)).map((v) => v.slice(pt.length + 1)),
    };
  });
}

/** `key=value` pairs of an fmtp line. */
export function fmtpParams(fmtp: string): Map<string, string> {
  return new Map(
    fmtp.split(";").map((p) => p.trim()).filter(Boolean).map((p) => {
      const eq = p.indexOf("=");
      return eq < 0 ? [p.toLowerCase(), ""] : [p.slice(0, eq).toLowerCase(), p.slice(eq + 1)];
    }),
  );
}

export function writeSdp(lines: readonly string[]): string {
  return `${lines.join("\r\n")}\r\n`;
}
