import { chromium } from "playwright-core";
const base = "http://127.0.0.1:18480";
const token = Deno.readTextFileSync("/tmp/cam/token").trim();
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
const t0 = performance.now();
const res = await fetch(`${base}/api/v1/cameras/cam1/whep`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/sdp" }, body: offer });
console.log(res.status, res.headers.get("location"), res.headers.get("content-type"), Math.round(performance.now() - t0), "ms");
const answer = await res.text();
if (res.status !== 201) { console.log(answer); Deno.exit(1); }
await page.evaluate(async (sdp) => { await (window as any).pc.setRemoteDescription({ type: "answer", sdp }); }, answer);
for (let i = 0; i < 4; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  console.log(await page.evaluate(() => { const v = document.getElementById("v") as HTMLVideoElement; return JSON.stringify({ t: v.currentTime, f: v.getVideoPlaybackQuality().totalVideoFrames, ice: (window as any).pc.iceConnectionState, w: v.videoWidth }); }));
}
const del = await fetch(`${base}${res.headers.get("location")}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
console.log("delete", del.status);
await b.close();
