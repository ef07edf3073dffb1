/**
 * WHEP in front of Janus 1.1's streaming plugin. WHEP (RFC 9725) has the viewer send the offer;
 * the streaming plugin of Janus 1.1.2 (Debian's) only makes offers itself (taking a viewer's
 * offer came with Janus PR 3199, after 1.1.2). The bridge makes the two meet without touching
 * media: Janus' offer becomes the viewer's answer, the viewer's offer becomes Janus' answer.
 * That is sound because each side then holds exactly the other's ICE credentials, DTLS
 * fingerprint and candidates, and the roles agree:
 * - ICE: Janus runs ICE-lite (engines.sh, compose), so it is controlled by the full agent (the
 *   viewer, the offerer in its own view) and answers the checks it receives;
 * - DTLS: the viewer is told `setup:passive` for Janus and Janus `setup:active` for the viewer,
 *   so the viewer is the DTLS client, Janus the server;
 * - RTP: the streaming plugin sends with the mountpoint stream's payload type, and a browser reads
 *   payload types by its own offer. So a camera mountpoint has one H.264 stream per payload type
 *   in `AIOT_CAMERA_RTP_PAYLOAD_TYPES` (default 102 and 126: what Chromium and Firefox offer for
 *   H.264 packetization-mode 1), and the bridge picks the stream whose payload type the viewer's
 *   offer maps to H.264 (`pickStream`). RTX and header extensions are left out of both answers
 *   (their ids are per peer too); losses are repaired by plain NACK retransmission and PLI.
 */
import {
  attribute,
  attributes,
  type Codec,
  codecsOf,
  fmtpParams,
  type MediaSection,
  parseSdp,
  type SessionDescription,
  writeSdp,
} from "./sdp.ts";

/** One video stream of a camera mountpoint: its mid and payload type. */
export interface MountpointStream {
  mid: string;
  pt: number;
}

/** Feedback both sides understand without header extensions. */
const FEEDBACK = ["nack", "nack pli", "ccm fir"];

export class WhepOfferError extends Error {}

const isH264Mode1 = (codec: Codec) =>
  codec.name === "H264" && codec.clockRate === "90000" &&
  fmtpParams(codec.fmtp).get("packetization-mode") === "1";

function firstVideo(sdp: SessionDescription): MediaSection {
  const video = sdp.media.find((m) => m.kind === "video" && !m.lines[0]!.startsWith("m=video 0 "));
  if (!video) throw new WhepOfferError("The offer has no video media section");
  return video;
}

/**
 * The mountpoint stream the viewer of `offer` can decode: the first whose payload type its video
 * section maps to H.264 with packetization-mode 1. Throws a `WhepOfferError` naming what is
 * missing (the API answers 406).
 */
export function pickStream(offer: string, streams: readonly MountpointStream[]): MountpointStream {
  const sdp = parseSdp(offer);
  if (!sdp.session[0]?.startsWith("v=0")) throw new WhepOfferError("The body is not an SDP offer");
  const video = firstVideo(sdp);
  const h264 = new Set(codecsOf(video).filter(isH264Mode1).map((c) => c.pt));
  const stream = streams.find((s) => h264.has(String(s.pt)));
  if (!stream) {
    const pts = streams.map((s) => s.pt).join(", ");
    throw new WhepOfferError(
      `The offer does not receive H.264 (packetization-mode=1) at a payload type the relay sends (${pts})`,
    );
  }
  return stream;
}

const required = (value: string | undefined, what: string): string => {
  if (value === undefined) throw new WhepOfferError(`The ${what} is missing`);
  return value;
};

/** ICE credentials, fingerprint and candidates of a side, taken from its offer. */
function transportOf(sdp: SessionDescription, section: MediaSection, who: string) {
  return {
    ufrag: required(attribute(sdp, section, "ice-ufrag"), `${who}'s ice-ufrag`),
    pwd: required(attribute(sdp, section, "ice-pwd"), `${who}'s ice-pwd`),
    fingerprint: required(attribute(sdp, section, "fingerprint"), `${who}'s DTLS fingerprint`),
    candidates: attributes(section.lines, "candidate"),
    connection: section.lines.find((l) => l.startsWith("c=")) ??
      sdp.session.find((l) => l.startsWith("c=")) ?? "c=IN IP4 0.0.0.0",
    iceLite: attributes(sdp.session, "ice-lite").length > 0,
  };
}

function sessionHeader(id: string): string[] {
  return ["v=0", `o=- ${id} 1 IN IP4 127.0.0.1`, "s=-", "t=0 0"];
}

/**
 * The two answers: `forViewer` answers the viewer's `viewerOffer` with what Janus offered
 * (`janusOffer`, made for `stream`); `forJanus` answers Janus with the viewer's side. `sessionId`
 * is any decimal number for the `o=` lines.
 */
export function bridgeOffers(
  viewerOffer: string,
  janusOffer: string,
  stream: MountpointStream,
  sessionId: string,
): { forViewer: string; forJanus: string } {
  const viewer = parseSdp(viewerOffer);
  const janus = parseSdp(janusOffer);
  const viewerVideo = firstVideo(viewer);
  const janusVideo = janus.media.find((m) => attributes(m.lines, "mid")[0] === stream.mid);
  if (!janusVideo) throw new WhepOfferError(`Janus offered no stream "${stream.mid}"`);
  const pt = String(stream.pt);
  const viewerCodec = codecsOf(viewerVideo).find((c) => c.pt === pt);
  const janusCodec = codecsOf(janusVideo).find((c) => c.pt === pt);
  if (!viewerCodec || !janusCodec) throw new WhepOfferError(`Payload type ${pt} is missing from an offer`);
  const viewerMid = required(attributes(viewerVideo.lines, "mid")[0], "viewer's video mid");
  const fromJanus = transportOf(janus, janusVideo, "Janus");
  const fromViewer = transportOf(viewer, viewerVideo, "viewer");
  const feedback = (codec: Codec, other: Codec) =>
    FEEDBACK.filter((fb) => codec.feedback.includes(fb) && other.feedback.includes(fb))
      .map((fb) => `a=rtcp-fb:${pt} ${fb}`);

  // The viewer's answer: its m-sections in order, only the chosen video accepted.
  const viewerSections = viewer.media.flatMap((section) => {
    const mid = attributes(section.lines, "mid")[0] ?? "";
    if (section !== viewerVideo) {
      return [
        `m=${section.kind} 0 ${section.lines[0]!.split(" ").slice(2).join(" ")}`,
        "c=IN IP4 0.0.0.0",
        `a=mid:${mid}`,
        "a=inactive",
      ];
    }
    return [
      `m=video 9 UDP/TLS/RTP/SAVPF ${pt}`,
      fromJanus.connection,
      `a=mid:${viewerMid}`,
      "a=sendonly",
      "a=rtcp-mux",
      `a=ice-ufrag:${fromJanus.ufrag}`,
      `a=ice-pwd:${fromJanus.pwd}`,
      `a=fingerprint:${fromJanus.fingerprint}`,
      "a=setup:passive",
      `a=rtpmap:${pt} H264/90000`,
      ...feedback(viewerCodec, janusCodec),
      ...(viewerCodec.fmtp ? [`a=fmtp:${pt} ${viewerCodec.fmtp}`] : []),
      ...attributes(janusVideo.lines, "msid").map((v) => `a=msid:${v}`),
      ...attributes(janusVideo.lines, "ssrc")
        .filter((v) => v.startsWith(`${ssrcOf(janusVideo)} `))
        .map((v) => `a=ssrc:${v}`),
      ...fromJanus.candidates.map((c) => `a=candidate:${c}`),
      "a=end-of-candidates",
    ];
  });
  const forViewer = writeSdp([
    ...sessionHeader(sessionId),
    `a=group:BUNDLE ${viewerMid}`,
    ...(fromJanus.iceLite ? ["a=ice-lite"] : []),
    "a=msid-semantic: WMS *",
    ...viewerSections,
  ]);

  const forJanus = writeSdp([
    ...sessionHeader(sessionId),
    `a=group:BUNDLE ${stream.mid}`,
    "a=msid-semantic: WMS *",
    `m=video 9 UDP/TLS/RTP/SAVPF ${pt}`,
    "c=IN IP4 0.0.0.0",
    `a=mid:${stream.mid}`,
    "a=recvonly",
    "a=rtcp-mux",
    `a=ice-ufrag:${fromViewer.ufrag}`,
    `a=ice-pwd:${fromViewer.pwd}`,
    `a=fingerprint:${fromViewer.fingerprint}`,
    "a=setup:active",
    `a=rtpmap:${pt} H264/90000`,
    ...feedback(janusCodec, viewerCodec),
    ...(janusCodec.fmtp ? [`a=fmtp:${pt} ${janusCodec.fmtp}`] : []),
    ...fromViewer.candidates.map((c) => `a=candidate:${c}`),
    "a=end-of-candidates",
  ]);
  return { forViewer, forJanus };
}

/** The media SSRC Janus sends (the first of its `ssrc-group:FID`, else the first `ssrc`). */
function ssrcOf(section: MediaSection): string {
  const fid = attributes(section.lines, "ssrc-group")[0]?.split(" ")[1];
  return fid ?? attributes(section.lines, "ssrc")[0]?.split(" ")[0] ?? "";
}
