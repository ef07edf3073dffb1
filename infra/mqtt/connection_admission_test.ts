import assert from "node:assert/strict";
import { createConnectionAdmission } from "./connection_admission.ts";

Deno.test("createConnectionAdmission() refuses the connection over the per-address cap until one closes", () => {
  const admission = createConnectionAdmission({ maxConnections: 100, maxConnectionsPerAddress: 2 });
  const first = admission.admit("10.0.0.1");
  assert.ok(first && admission.admit("10.0.0.1"));
  assert.equal(admission.admit("10.0.0.1"), undefined);
  assert.ok(admission.admit("10.0.0.2"), "another address is not affected");
  first();
  first(); // a second release of the same connection changes nothing
  assert.ok(admission.admit("10.0.0.1"));
  assert.equal(admission.admit("10.0.0.1"), undefined);
  assert.equal(admission.open, 3);
});

Deno.test("createConnectionAdmission() refuses any connection over the total cap, known address or not", () => {
  const admission = createConnectionAdmission({ maxConnections: 3, maxConnectionsPerAddress: 100 });
  const releases = [admission.admit("10.0.0.1"), admission.admit("10.0.0.2"), admission.admit(undefined)];
  assert.ok(releases.every(Boolean));
  assert.equal(admission.admit("10.0.0.3"), undefined);
  assert.equal(admission.admit(undefined), undefined);
  releases[2]!();
  assert.ok(admission.admit("10.0.0.3"));
  assert.equal(admission.open, 3);
});
