import assert from "node:assert/strict";
import { CHROMIUM_OFFER, JANUS_OFFER } from "./_sdp_fixtures.ts";
import { attributes, parseSdp } from "./sdp.ts";
import { bridgeOffers, pickStream, WhepOfferError } from "./whep_bridge.ts";

const streams = [{ mid: "v102", pt: 102 }, { mid: "v126", pt: 126 }];

Deno.test("pickStream() picks the mountpoint stream whose payload type the offer maps to H.264 mode 1", () => {
  assert.deepEqual(pickStream(CHROMIUM_OFFER, streams), { mid: "v102", pt: 102 });
  // Firefox puts H.264 mode 1 at 126
  const firefoxLike = CHROMIUM_OFFER.replaceAll(":102 ", ":126 ").replace(/ 102 /, " 126 ").replaceAll(
    "apt=102",
    "apt=126",
  );
  assert.deepEqual(pickStream(firefoxLike, streams), { mid: "v126", pt: 126 });
});

Deno.test("pickStream() refuses an offer without H.264 at a payload type the relay sends", () => {
  assert.throws(() => pickStream(CHROMIUM_OFFER, [{ mid: "v96", pt: 96 }]), WhepOfferError); // 96 is VP8 there
  assert.throws(() => pickStream("hello", streams), /not an SDP offer/);
  const audioOnly =
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n";
  assert.throws(() => pickStream(audioOnly, streams), /no video/);
});

Deno.test("bridgeOffers() gives each side the other's ICE credentials, fingerprint and candidates", () => {
  const { forViewer, forJanus } = bridgeOffers(CHROMIUM_OFFER, JANUS_OFFER, streams[0]!, "42");
  const viewer = parseSdp(forViewer);
  const janus = parseSdp(forJanus);
  const chromium = parseSdp(CHROMIUM_OFFER);
  const janusOffer = parseSdp(JANUS_OFFER);
  const [vm] = viewer.media;
  const [jm] = janus.media;
  // the viewer's answer: its mid, Janus' transport, sendonly H.264 at 102, Janus' SSRC, ICE-lite, passive
  assert.equal(viewer.media.length, chromium.media.length);
  assert.equal(vm!.lines[0], "m=video 9 UDP/TLS/RTP/SAVPF 102");
  assert.deepEqual(attributes(vm!.lines, "mid"), attributes(chromium.media[0]!.lines, "mid"));
  assert.deepEqual(attributes(vm!.lines, "ice-ufrag"), attributes(janusOffer.media[0]!.lines, "ice-ufrag"));
  assert.deepEqual(attributes(vm!.lines, "fingerprint"), attributes(janusOffer.session, "fingerprint"));
  assert.deepEqual(attributes(vm!.lines, "candidate"), attributes(janusOffer.media[0]!.lines, "candidate"));
  assert.deepEqual(attributes(vm!.lines, "setup"), ["passive"]);
  assert.ok(vm!.lines.includes("a=sendonly"));
  assert.ok(attributes(viewer.session, "ice-lite").length === 1);
  assert.ok(
    attributes(vm!.lines, "ssrc").every((v) =>
      v.startsWith(attributes(janusOffer.media[0]!.lines, "ssrc-group")[0]!.split(" ")[1]!)
    ),
  );
  assert.ok(!forViewer.includes("rtx"), "no RTX: its payload types differ per peer");
  // Janus' answer: its mid, the viewer's transport, recvonly, active
  assert.equal(jm!.lines[0], "m=video 9 UDP/TLS/RTP/SAVPF 102");
  assert.deepEqual(attributes(jm!.lines, "mid"), ["v102"]);
  assert.deepEqual(attributes(jm!.lines, "ice-pwd"), attributes(chromium.media[0]!.lines, "ice-pwd"));
  assert.deepEqual(attributes(jm!.lines, "fingerprint"), attributes(chromium.media[0]!.lines, "fingerprint"));
  assert.deepEqual(attributes(jm!.lines, "setup"), ["active"]);
  assert.ok(jm!.lines.includes("a=recvonly"));
  assert.ok(forJanus.endsWith("a=end-of-candidates\r\n"));
});
