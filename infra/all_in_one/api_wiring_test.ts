import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { topicNames } from "../../core/events/topics.ts";
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import { createInMemoryEventLog } from "../../core/testing/in_memory_event_log.ts";
import type { AiotConfig } from "../config/config.ts";
import { apiDeps, type ApiEngines } from "./api_wiring.ts";

Deno.test("apiDeps() hands a revocation appended in this process to its gateway as soon as the append lands", async () => {
  const topics = topicNames("aiot.");
  const log = createInMemoryEventLog();
  await log.ensureTopics([{ name: topics.device, partitions: 1 }]);
  const seen: string[] = [];
  const broker: DeviceGateway = {
    publishToDevice: () => Promise.resolve(),
    isConnected: () => false,
    disconnectDevice: (id, reason) => (seen.push(`disconnect ${id} ${reason}`), 0),
    forgetDevice: (id, revocation) => void seen.push(`forget ${id} ${revocation?.kind}`),
  };
  const engines = { log, topics, broker } as unknown as ApiEngines;
  const deps = apiDeps({ security: {} } as unknown as AiotConfig, engines);
  const decommissioned = createEvent("device.decommissioned", {}, { key: "dev-1", source: "api" });
  const updated = createEvent("device.updated", { name: "n" }, { key: "dev-2", source: "api" });
  await deps.appendEvents(topics.device, [updated, decommissioned]);
  assert.deepEqual(seen, ["forget dev-1 decommissioned", "disconnect dev-1 decommissioned"]);
});
