import { createEvent } from "../../events/catalog.ts";
import { projectionSpec } from "../../testing/projection_spec.ts";
import { evolveFirmware, type FirmwareRow } from "./model.ts";

const spec = projectionSpec<FirmwareRow>(evolveFirmware);
const options = { key: "fw-1", source: "api", time: "2026-11-30T10:00:00Z" };
const sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const published = createEvent("firmware.published", {
  firmwareId: "fw-1",
  name: "th-10",
  version: "1.2.0",
  sha256,
  size: 482_304,
  by: "op",
}, options);
const deleted = createEvent("firmware.deleted", { firmwareId: "fw-1", by: "op" }, options);

const row: FirmwareRow = {
  id: "fw-1",
  name: "th-10",
  version: "1.2.0",
  sha256,
  size: 482_304,
  createdAt: "2026-11-30T10:00:00.000Z",
  createdBy: "op",
};

Deno.test("firmware: publishing adds the image; a redelivery changes nothing", () => {
  spec.given(published).then(row);
  spec.given(published, published).then(row);
});

Deno.test("firmware: deleting drops the row; a delete of an unknown image makes none", () => {
  spec.given(published, deleted).then(undefined);
  spec.given(deleted).then(undefined);
});
