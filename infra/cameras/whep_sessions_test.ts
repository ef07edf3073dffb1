import assert from "node:assert/strict";
import { CHROMIUM_OFFER } from "../../core/cameras/_sdp_fixtures.ts";
import { CameraUnavailableError } from "../../core/cameras/mod.ts";
import type { JanusClient } from "./janus_client.ts";
import { createWhepSessions } from "./whep_sessions.ts";

Deno.test("createWhepSessions() refuses offers beyond its session limit without reaching Janus", async () => {
  let attached = 0;
  const janus = {
    attach() {
      attached++;
      return Promise.reject(new Error("Janus is not reached in this test"));
    },
  } as unknown as JanusClient;
  const full = createWhepSessions(janus, { mountpointPrefix: "t", payloadTypes: [102, 126], maxSessions: 0 });
  await assert.rejects(full.open("cam-1", CHROMIUM_OFFER), (error) => {
    assert.ok(error instanceof CameraUnavailableError);
    assert.match((error as Error).message, /Too many live viewers/);
    return true;
  });
  assert.equal(attached, 0);
  // Below the limit the same offer goes to Janus (which fails here: the gateway is unavailable).
  const open = createWhepSessions(janus, { mountpointPrefix: "t", payloadTypes: [102, 126], maxSessions: 1 });
  await assert.rejects(open.open("cam-1", CHROMIUM_OFFER), /WebRTC gateway is unavailable/);
  assert.equal(attached, 1);
});
