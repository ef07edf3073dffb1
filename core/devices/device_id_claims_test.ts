import { deviceIdClaimsContract } from "../testing/device_id_claims_contract.ts";
import { createInProcessDeviceIdClaims } from "./device_id_claims.ts";

for (const c of deviceIdClaimsContract) {
  Deno.test(`DeviceIdClaims contract [in-process] › ${c.name}`, () =>
    c.run(() => Promise.resolve(createInProcessDeviceIdClaims())));
}
