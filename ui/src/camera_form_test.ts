import assert from "node:assert/strict";
import {
  cameraBody,
  EMPTY_CAMERA_FORM,
  fieldOfPath,
  rtspProblem,
  withoutCredentials,
} from "./camera_form.ts";

Deno.test("cameraBody() builds the POST /cameras body of an RTSP camera", () => {
  const result = cameraBody({
    ...EMPTY_CAMERA_FORM,
    id: " gate-1 ",
    name: "Front gate",
    labels: "site=north, floor=1",
    url: "rtsp://admin:s3cret@10.0.0.7:554/stream1",
    retentionHours: "48",
  });
  assert.deepEqual(result.body, {
    id: "gate-1",
    name: "Front gate",
    labels: { site: "north", floor: "1" },
    source: { kind: "rtsp", url: "rtsp://admin:s3cret@10.0.0.7:554/stream1" },
    record: true,
    retentionHours: 48,
  });
});

Deno.test("cameraBody() builds a push camera without URL and without retention when not recording", () => {
  const result = cameraBody({ ...EMPTY_CAMERA_FORM, sourceKind: "push", record: false, retentionHours: "x" });
  assert.deepEqual(result.body, { source: { kind: "push" }, record: false });
});

Deno.test("cameraBody() names every wrong field by its API path", () => {
  const result = cameraBody({
    ...EMPTY_CAMERA_FORM,
    id: "bad id!",
    labels: "site",
    url: "http://10.0.0.7/stream",
    retentionHours: "0",
  });
  assert.equal(result.body, undefined);
  assert.deepEqual([...result.errors!.keys()].sort(), ["id", "labels", "retentionHours", "source.url"]);
  assert.match(result.errors!.get("source.url")!, /rtsp:\/\//);
});

Deno.test("rtspProblem() accepts rtsp:// and rtsps:// with a host only", () => {
  assert.equal(rtspProblem("rtsp://cam.example:8554/live"), undefined);
  assert.equal(rtspProblem("rtsps://u:p@cam.example/live"), undefined);
  assert.match(rtspProblem("")!, /needed/);
  assert.match(rtspProblem("file:///etc/passwd")!, /not file:/);
  assert.match(rtspProblem("cam.example/live")!, /Not a URL/);
  assert.match(rtspProblem("rtsp:///live")!, /no host/);
});

Deno.test("withoutCredentials() removes user and password, also from what is not a URL", () => {
  assert.equal(withoutCredentials("rtsp://admin:s3cret@10.0.0.7:554/stream1"), "rtsp://10.0.0.7:554/stream1");
  assert.equal(withoutCredentials("rtsp://10.0.0.7/stream1"), "rtsp://10.0.0.7/stream1");
  assert.equal(withoutCredentials("rtsp://a:b@[bad/x"), "rtsp://[bad/x");
});

Deno.test("fieldOfPath() puts the API's source and label errors on the form's fields", () => {
  assert.equal(fieldOfPath("source.url"), "source.url");
  assert.equal(fieldOfPath("source"), "source.url");
  assert.equal(fieldOfPath("labels.site"), "labels");
  assert.equal(fieldOfPath("retentionHours"), "retentionHours");
});
