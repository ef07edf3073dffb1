import assert from "node:assert/strict";
import { createRedactor, isSecretKey, REDACTED } from "./redact.ts";

Deno.test("createRedactor().text() hides URL passwords, bearer tokens, signatures and webhook secrets", () => {
  const { text } = createRedactor();
  const cases: [string, string][] = [
    ["postgres://aiot:s3cret@db:5432/aiot", `postgres://aiot:${REDACTED}@db:5432/aiot`],
    ["mqtt://ingest:pw%40x@broker:1883", `mqtt://ingest:${REDACTED}@broker:1883`],
    ["Authorization: Bearer eyJhbGciOi.abc", `Authorization: Bearer ${REDACTED}`],
    ["basic dXNlcjpwYXNz", `basic ${REDACTED}`],
    [
      "GET /api/v1/firmware/f1/download?job=j1&device=d1&exp=17&sig=AbC_dEf-123",
      `GET /api/v1/firmware/f1/download?job=j1&device=d1&exp=17&sig=${REDACTED}`,
    ],
    ['{"username":"admin","password":"hunter22"}', `{"username":"admin","password":"${REDACTED}"}`],
    ["token=abc123def password: xyz789", `token=${REDACTED} password: ${REDACTED}`],
    ["secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/x+1 made", `secret whsec_${REDACTED} made`],
  ];
  for (const [input, expected] of cases) assert.equal(text(input), expected, input);
});

Deno.test("createRedactor().text() leaves ordinary text alone", () => {
  const { text } = createRedactor();
  for (
    const input of [
      "http://localhost:8080/api/v1/devices",
      "device d-1 connected from 127.0.0.1:50122",
      "token rotated for device d-1",
      "mqtt gateway: the log append failed",
    ]
  ) assert.equal(text(input), input);
});

Deno.test("createRedactor() replaces known secrets, their base64 and URL-encoded forms", () => {
  const { text } = createRedactor(["Adm1n pa55word!", undefined, "", "abc"]);
  assert.equal(text("x Adm1n pa55word! y"), `x ${REDACTED} y`);
  assert.equal(text(`x ${btoa("Adm1n pa55word!")} y`), `x ${REDACTED} y`);
  assert.equal(text(`x ${encodeURIComponent("Adm1n pa55word!")} y`), `x ${REDACTED} y`);
  assert.equal(text("abc stays"), "abc stays", "very short values are not secrets worth garbling lines for");
});

Deno.test("createRedactor().value() redacts secret keys whole and other values deeply", () => {
  const { value } = createRedactor();
  assert.equal(value("password", "x"), REDACTED);
  assert.equal(value("apiToken", { any: "thing" }), REDACTED);
  assert.equal(value("token", undefined), undefined);
  assert.deepEqual(
    value("request", { url: "https://u:p4ss@h/", headers: { Authorization: "Basic Zm9vOmJhcg==" } }),
    {
      url: `https://u:${REDACTED}@h/`,
      headers: { Authorization: REDACTED },
    },
  );
  for (
    const key of ["password", "AIOT_ADMIN_PASSWORD", "secretKey", "webhookSecret", "sig", "cookie", "sasl"]
  ) {
    assert.ok(isSecretKey(key), key);
  }
  for (const key of ["deviceId", "topic", "signedAt", "passes"]) assert.ok(!isSecretKey(key), key);
});
