import assert from "node:assert/strict";
import { ApiError } from "./api_client.ts";
import { connectWhep, deleteSession, postOffer, type WhepPeer } from "./camera_whep.ts";

const ENDPOINT = "http://aiot.test/api/v1/cameras/cam-1/whep";
const OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly\r\n";
const ANSWER = "v=0\r\no=janus 1 1 IN IP4 127.0.0.1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n";

interface Call {
  url: string;
  method: string;
  contentType: string | null;
  body: string | null;
}

/** A fetch that records each request and answers with `respond`. */
function fakeFetch(respond: (call: Call) => Response) {
  const calls: Call[] = [];
  const doFetch = ((input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const call = {
      url: String(input),
      method: init?.method ?? "GET",
      contentType: headers.get("content-type"),
      body: typeof init?.body === "string" ? init.body : null,
    };
    calls.push(call);
    return Promise.resolve(respond(call));
  }) as typeof fetch;
  return { calls, doFetch };
}

const answered = (call: Call) =>
  call.method === "POST"
    ? new Response(ANSWER, {
      status: 201,
      headers: { "content-type": "application/sdp", location: "/api/v1/cameras/cam-1/whep/s-42" },
    })
    : new Response(null, { status: 204 });

/** An RTCPeerConnection stand-in: records what the client did; gathering completes on demand. */
class FakePeer extends EventTarget {
  transceivers: { kind: string; direction: string | undefined }[] = [];
  local: RTCSessionDescriptionInit | undefined;
  remote: RTCSessionDescriptionInit | undefined;
  iceGatheringState: RTCIceGatheringState = "new";
  connectionState: RTCPeerConnectionState = "new";
  closed = 0;
  constructor(private readonly gatherAtOnce = true, private readonly rejectAnswer = false) {
    super();
  }
  get localDescription() {
    return this.local ? { ...this.local, toJSON: () => this.local } as RTCSessionDescription : null;
  }
  addTransceiver(kind: string, init?: RTCRtpTransceiverInit) {
    this.transceivers.push({ kind, direction: init?.direction });
    return {} as RTCRtpTransceiver;
  }
  createOffer() {
    return Promise.resolve({ type: "offer", sdp: OFFER } as RTCSessionDescriptionInit);
  }
  setLocalDescription(description?: RTCLocalSessionDescriptionInit) {
    this.local = description as RTCSessionDescriptionInit;
    this.iceGatheringState = "gathering";
    if (this.gatherAtOnce) {
      queueMicrotask(() => {
        this.iceGatheringState = "complete";
        this.dispatchEvent(new Event("icegatheringstatechange"));
      });
    }
    return Promise.resolve();
  }
  setRemoteDescription(description: RTCSessionDescriptionInit) {
    if (this.rejectAnswer) return Promise.reject(new DOMException("bad answer", "InvalidAccessError"));
    this.remote = description;
    return Promise.resolve();
  }
  close() {
    this.closed++;
  }
  setConnectionState(state: RTCPeerConnectionState) {
    this.connectionState = state;
    this.dispatchEvent(new Event("connectionstatechange"));
  }
}

const asPeer = (peer: FakePeer) => () => peer as unknown as WhepPeer;

Deno.test("connectWhep() offers receive-only video, POSTs it as application/sdp and applies the answer", async () => {
  const peer = new FakePeer();
  const { calls, doFetch } = fakeFetch(answered);
  const states: string[] = [];
  const session = await connectWhep({
    endpoint: ENDPOINT,
    peer: asPeer(peer),
    fetch: doFetch,
    onState: (s) => states.push(s),
  });
  assert.deepEqual(peer.transceivers, [{ kind: "video", direction: "recvonly" }]);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0], { url: ENDPOINT, method: "POST", contentType: "application/sdp", body: OFFER });
  assert.deepEqual(peer.remote, { type: "answer", sdp: ANSWER });
  assert.equal(session.url, "http://aiot.test/api/v1/cameras/cam-1/whep/s-42");
  peer.setConnectionState("connected");
  assert.deepEqual(states, ["connected"]);
});

Deno.test("connectWhep() resolves a relative endpoint against base", async () => {
  const { calls, doFetch } = fakeFetch(answered);
  await connectWhep({
    endpoint: "/api/v1/cameras/cam-1/whep",
    base: "http://aiot.test/#/cameras/cam-1",
    peer: asPeer(new FakePeer()),
    fetch: doFetch,
  });
  assert.equal(calls[0]!.url, ENDPOINT);
});

Deno.test("close() closes the peer and DELETEs the session named by Location, once", async () => {
  const peer = new FakePeer();
  const { calls, doFetch } = fakeFetch(answered);
  const session = await connectWhep({ endpoint: ENDPOINT, peer: asPeer(peer), fetch: doFetch });
  await session.close();
  await session.close();
  assert.equal(peer.closed, 1);
  assert.deepEqual(calls.slice(1).map((c) => [c.method, c.url]), [
    ["DELETE", "http://aiot.test/api/v1/cameras/cam-1/whep/s-42"],
  ]);
});

Deno.test("connectWhep() sends what it gathered when gathering does not complete in time", async () => {
  const peer = new FakePeer(false);
  const { calls, doFetch } = fakeFetch(answered);
  await connectWhep({ endpoint: ENDPOINT, peer: asPeer(peer), fetch: doFetch, gatherTimeoutMs: 20 });
  assert.equal(calls[0]!.body, OFFER);
});

Deno.test("connectWhep() rejects with the API's error (503: camera offline) and closes the peer", async () => {
  const peer = new FakePeer();
  const { calls, doFetch } = fakeFetch(() =>
    Response.json({ error: { code: "camera_offline", message: "Camera cam-1 is offline" } }, { status: 503 })
  );
  const error = await connectWhep({ endpoint: ENDPOINT, peer: asPeer(peer), fetch: doFetch }).then(
    () => assert.fail("connected to an offline camera"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 503);
  assert.equal(error.code, "camera_offline");
  assert.equal(peer.closed, 1);
  assert.equal(calls.length, 1, "no session to DELETE");
});

Deno.test("postOffer() reads a non-JSON refusal by its status", async () => {
  const { doFetch } = fakeFetch(() => new Response("<html>Bad Gateway</html>", { status: 502 }));
  await assert.rejects(postOffer(ENDPOINT, OFFER, doFetch), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, 502);
    return true;
  });
});

Deno.test("postOffer() refuses an answer without Location or without SDP", async () => {
  const noLocation = fakeFetch(() => new Response(ANSWER, { status: 201 }));
  await assert.rejects(postOffer(ENDPOINT, OFFER, noLocation.doFetch), /Location/);
  const notSdp = fakeFetch(() => new Response("{}", { status: 201, headers: { location: "s" } }));
  await assert.rejects(postOffer(ENDPOINT, OFFER, notSdp.doFetch), /not an SDP/);
});

Deno.test("connectWhep() DELETEs the session when the browser refuses the answer", async () => {
  const peer = new FakePeer(true, true);
  const { calls, doFetch } = fakeFetch(answered);
  await assert.rejects(connectWhep({ endpoint: ENDPOINT, peer: asPeer(peer), fetch: doFetch }), /bad answer/);
  assert.deepEqual(calls.map((c) => c.method), ["POST", "DELETE"]);
  assert.ok(peer.closed >= 1);
});

Deno.test("deleteSession() ignores a lost network", async () => {
  const failing = (() => Promise.reject(new TypeError("network down"))) as typeof fetch;
  await deleteSession("http://aiot.test/api/v1/cameras/cam-1/whep/s-1", failing);
});
