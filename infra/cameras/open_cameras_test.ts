import assert from "node:assert/strict";
import { camerasFromEnv } from "./camera_config.ts";
import { cameraUrlCheck } from "./open_cameras.ts";

Deno.test("cameraUrlCheck() refuses loopback and private camera hosts unless AIOT_CAMERA_ALLOW_PRIVATE=1", async () => {
  const strict = cameraUrlCheck(false);
  for (
    const url of [
      "rtsp://127.0.0.1:554/s",
      "rtsp://10.1.2.3/s",
      "rtsp://192.168.1.20/s",
      "rtsp://localhost/s",
      "rtsp://[::1]/s",
    ]
  ) {
    assert.match((await strict(url)) ?? "allowed", /loopback|private/, url);
  }
  assert.equal(await strict("rtsp://93.184.216.34:554/s"), undefined);
  assert.equal(await cameraUrlCheck(true)("rtsp://192.168.1.20/s"), undefined);
});

Deno.test("camerasFromEnv() reads the camera settings and refuses bad ones", () => {
  assert.deepEqual(camerasFromEnv({}), {
    rtpHost: "127.0.0.1",
    payloadTypes: [102, 126],
    mountpointPrefix: "aiot",
    allowPrivate: false,
    ffmpeg: "ffmpeg",
  });
  const set = camerasFromEnv({
    AIOT_JANUS_URL: "http://janus:8088/janus/",
    AIOT_JANUS_SECRET: "s",
    AIOT_CAMERA_RTP_PAYLOAD_TYPES: "108",
    AIOT_CAMERA_ALLOW_PRIVATE: "1",
  });
  assert.deepEqual(set.janus, { url: "http://janus:8088/janus", secret: "s" });
  assert.deepEqual(set.payloadTypes, [108]);
  assert.equal(set.allowPrivate, true);
  assert.throws(() => camerasFromEnv({ AIOT_CAMERA_RTP_PAYLOAD_TYPES: "8" }), /dynamic payload types/);
  assert.throws(() => camerasFromEnv({ AIOT_JANUS_URL: "janus:8088" }), /AIOT_JANUS_URL/);
  assert.throws(() => camerasFromEnv({ AIOT_CAMERA_MOUNTPOINT_PREFIX: "a b" }), /PREFIX/);
  assert.deepEqual(camerasFromEnv({ AIOT_CAMERA_RTMP_URL: "rtmp://127.0.0.1:1935/live/" }).push, {
    rtmpUrl: "rtmp://127.0.0.1:1935/live",
    publicUrl: "rtmp://127.0.0.1:1935/live",
  });
  assert.throws(() => camerasFromEnv({ AIOT_CAMERA_RTMP_URL: "http://x/live" }), /AIOT_CAMERA_RTMP_URL/);
});
