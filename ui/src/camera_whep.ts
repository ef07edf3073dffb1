/**
 * A WHEP client (RFC 9725) for a camera's live video: a receive-only video offer with its ICE
 * candidates gathered first (the API's endpoint answers with all of its own and takes no trickle),
 * POSTed as `application/sdp`; the answer's `Location` is the session, DELETEd when the viewer
 * closes so the server releases its relay at once instead of waiting for ICE to time out.
 * The peer connection and `fetch` are arguments, so the exchange is tested without a browser.
 */
import { answerOf, ApiError } from "./api_client.ts";

/** The part of `RTCPeerConnection` a WHEP viewer uses. */
export type WhepPeer = Pick<
  RTCPeerConnection,
  | "addTransceiver"
  | "createOffer"
  | "setLocalDescription"
  | "setRemoteDescription"
  | "localDescription"
  | "iceGatheringState"
  | "connectionState"
  | "addEventListener"
  | "removeEventListener"
  | "close"
>;

export interface WhepOptions {
  /** The WHEP endpoint, absolute or relative to `base`. */
  endpoint: string;
  /** What a relative endpoint and `Location` resolve against; default the page's address. */
  base?: string;
  peer?: () => WhepPeer;
  fetch?: typeof fetch;
  /** How long to wait for ICE gathering before sending the candidates found so far. */
  gatherTimeoutMs?: number;
  /** The remote video, once its track arrives. */
  onStream?(stream: MediaStream): void;
  /** The peer connection's state (`connected`, `failed`, `disconnected`, …). */
  onState?(state: RTCPeerConnectionState): void;
}

export interface WhepSession {
  /** The session resource (absolute URL) the server named in `Location`. */
  url: string;
  peer: WhepPeer;
  /** Closes the peer connection and DELETEs the session; safe to call more than once. */
  close(): Promise<void>;
}

/** Gathering over loopback or a LAN takes milliseconds; STUN-less, nothing takes longer than this. */
const GATHER_TIMEOUT_MS = 2_000;

/** Connects to the endpoint; rejects with an `ApiError` (503: the camera is offline) or a `TypeError`. */
export async function connectWhep(options: WhepOptions): Promise<WhepSession> {
  const base = options.base ?? globalThis.location?.href;
  const endpoint = new URL(options.endpoint, base).href;
  const doFetch = options.fetch ?? fetch;
  const peer = (options.peer ?? (() => new RTCPeerConnection()))();
  const onTrack = (event: Event) => {
    const { streams, track } = event as RTCTrackEvent;
    options.onStream?.(streams[0] ?? new MediaStream([track]));
  };
  const onState = () => options.onState?.(peer.connectionState);
  peer.addEventListener("track", onTrack);
  peer.addEventListener("connectionstatechange", onState);
  try {
    peer.addTransceiver("video", { direction: "recvonly" });
    await peer.setLocalDescription(await peer.createOffer());
    await iceGathered(peer, options.gatherTimeoutMs ?? GATHER_TIMEOUT_MS);
    const offer = peer.localDescription?.sdp;
    if (!offer) throw new TypeError("Cannot start WebRTC: the browser made no SDP offer");
    const { answer, url } = await postOffer(endpoint, offer, doFetch);
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      peer.removeEventListener("track", onTrack);
      peer.removeEventListener("connectionstatechange", onState);
      peer.close();
      await deleteSession(url, doFetch);
    };
    try {
      await peer.setRemoteDescription({ type: "answer", sdp: answer });
    } catch (error) {
      await close();
      throw error;
    }
    return { url, peer, close };
  } catch (error) {
    peer.close();
    throw error;
  }
}

/**
 * POSTs `offer` to `endpoint` (absolute); answers the SDP answer and the session URL (`Location`,
 * resolved against the endpoint). A refusal is an `ApiError` with the API's error code.
 */
export async function postOffer(
  endpoint: string,
  offer: string,
  doFetch: typeof fetch = fetch,
): Promise<{ answer: string; url: string }> {
  const response = await doFetch(endpoint, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/sdp", accept: "application/sdp" },
    body: offer,
  });
  const path = new URL(endpoint).pathname.replace(/^\/api\/v1/, "");
  if (!response.ok) throw await refusal(response, path);
  const location = response.headers.get("location");
  if (!location) {
    await response.body?.cancel();
    throw new ApiError(response.status, "whep_no_location", "The WHEP answer names no session (Location)");
  }
  const answer = await response.text();
  if (!answer.startsWith("v=0")) {
    throw new ApiError(response.status, "whep_bad_answer", "The WHEP answer is not an SDP description");
  }
  return { answer, url: new URL(location, endpoint).href };
}

/** Ends session `url`; a session the server already dropped (404) or a lost network is not an error. */
export async function deleteSession(url: string, doFetch: typeof fetch = fetch): Promise<void> {
  try {
    // keepalive: a DELETE sent while the page unloads still leaves.
    const response = await doFetch(url, { method: "DELETE", credentials: "same-origin", keepalive: true });
    await response.body?.cancel();
  } catch {
    // The server ends a session whose peer goes away by itself (ICE timeout): nothing to do.
  }
}

/** The API's error for a refused offer; an error body that is not JSON still yields its status. */
async function refusal(response: Response, path: string): Promise<ApiError> {
  const text = await response.text();
  let json = "";
  try {
    JSON.parse(text);
    json = text;
  } catch {
    // Not the API's JSON error (a proxy's page): the status alone says what happened.
  }
  try {
    await answerOf(new Response(json || null, { status: response.status }), path);
  } catch (error) {
    if (error instanceof ApiError) return error;
  }
  return new ApiError(response.status, "error", `HTTP ${response.status}`);
}

/** Resolves once ICE gathering is complete or after `timeoutMs`, whichever comes first. */
function iceGathered(peer: WhepPeer, timeoutMs: number): Promise<void> {
  if (peer.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      peer.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => {
      if (peer.iceGatheringState === "complete") finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    peer.addEventListener("icegatheringstatechange", check);
  });
}
