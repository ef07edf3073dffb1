import { chromium } from "playwright-core";
import { bridgeOffers, pickStream } from "./core/cameras/whep_bridge.ts";
const S = Deno.readTextFileSync(`${Deno.env.get("HOME")}/.cache/aiot/run/janus/secret`).trim();
const U = "http://127.0.0.1:18088/janus";
const post = async (path: string, body: Record<string, unknown>) => (await fetch(U + path, { method: "POST", body: JSON.stringify({ ...body, transaction: crypto.randomUUID(), apisecret: S }) })).json();
const admin = await post("", { janus: "create" }); const asid = admin.data.id;
const ah = (await post(`/${asid}`, { janus: "attach", plugin: "janus.plugin.streaming" })).data.id;
await post(`/${asid}/${ah}`, { janus: "message", body: { request: "destroy", id: "exp-cam", admin_key: S } });
const created = await post(`/${asid}/${ah}`, { janus: "message", body: { request: "create", type: "rtp", id: "exp-cam", description: "exp", admin_key: S, permanent: false,
  media: [{ type: "video", mid: "v102", port: 0, pt: 102, codec: "h264", fmtp: "profile-level-id=42e01f;packetization-mode=1" }, { type: "video", mid: "v126", port: 0, pt: 126, codec: "h264", fmtp: "profile-level-id=42e01f;packetization-mode=1" }] } });
console.log(JSON.stringify(created.plugindata.data.stream.ports));
const ports = created.plugindata.data.stream.ports;
const ff = new Deno.Command("ffmpeg", { args: ["-hide_banner", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", "rtsp://127.0.0.1:18554/cam",
  ...ports.flatMap((p: { port: number, mid: string }) => ["-map", "0:v:0", "-c", "copy", "-f", "rtp", "-payload_type", p.mid.slice(1), `rtp://127.0.0.1:${p.port}?pkt_size=1200`])], stdout: "null", stderr: "inherit" }).spawn();
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const page = await b.newPage();
await page.setContent("<video id=v autoplay muted playsinline></video>");
const offer: string = await page.evaluate(async () => {
  const pc = new RTCPeerConnection(); (window as any).pc = pc; pc.addTransceiver("video", { direction: "recvonly" });
  pc.ontrack = (e) => { (document.getElementById("v") as HTMLVideoElement).srcObject = e.streams[0] ?? new MediaStream([e.track]); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { if (pc.iceGatheringState === "complete") r(0); pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r(0); });
  return pc.localDescription!.sdp;
});
const stream = pickStream(offer, [{ mid: "v102", pt: 102 }, { mid: "v126", pt: 126 }]);
console.log("picked", stream);
const sess = (await post("", { janus: "create" })).data.id;
const h = (await post(`/${sess}`, { janus: "attach", plugin: "janus.plugin.streaming" })).data.id;
await post(`/${sess}/${h}`, { janus: "message", body: { request: "watch", id: "exp-cam", media: [stream.mid] } });
let janusOffer = "";
for (let i = 0; i < 10 && !janusOffer; i++) {
  const evs = await (await fetch(`${U}/${sess}?apisecret=${S}&maxev=5`)).json();
  for (const e of evs) if (e.jsep) janusOffer = e.jsep.sdp;
}
const { forViewer, forJanus } = bridgeOffers(offer, janusOffer, stream, "123456");
console.log(forViewer);
const started = await post(`/${sess}/${h}`, { janus: "message", body: { request: "start" }, jsep: { type: "answer", sdp: forJanus } });
console.log(JSON.stringify(started));
await page.evaluate(async (sdp) => { await (window as any).pc.setRemoteDescription({ type: "answer", sdp }); }, forViewer);
for (let i = 0; i < 10; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  console.log(await page.evaluate(() => { const v = document.getElementById("v") as HTMLVideoElement; return JSON.stringify({ t: v.currentTime, f: v.getVideoPlaybackQuality().totalVideoFrames, ice: (window as any).pc.iceConnectionState, w: v.videoWidth }); }));
}
const evs = await (await fetch(`${U}/${sess}?apisecret=${S}&maxev=5`)).json(); console.log(JSON.stringify(evs).slice(0, 600));
await b.close(); ff.kill(); await ff.status;
await post(`/${asid}/${ah}`, { janus: "message", body: { request: "destroy", id: "exp-cam", admin_key: S } });
