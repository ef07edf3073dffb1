/**
 * The `cameras` role: the camera supervisor (infra/cameras/supervisor.ts) over the cameras read
 * model, reporting `camera.stream.online/offline` on the device topic. One instance per
 * deployment (it owns the mountpoints of its prefix and the relays); compose runs it next to
 * Janus. Relays run as child processes of this process and stop with it.
 */
import { toLogMessage } from "../../core/events/codec.ts";
import { createEvent } from "../../core/events/catalog.ts";
import type { TopicNames } from "../../core/events/topics.ts";
import type { EventLog } from "../../core/log/event_log.ts";
import { listCameras } from "../../core/readmodels/cameras/mod.ts";
import type { ReadModelStore } from "../../core/readmodels/mod.ts";
import { type Cameras, type CameraSupervisor, startCameraSupervisor } from "../cameras/mod.ts";
import type { Instrumentation } from "./instrumentation.ts";

export function startCamerasRole(
  { log, topics, readModels, cameras, instrumentation, warn }: {
    log: EventLog;
    topics: TopicNames;
    readModels: ReadModelStore;
    cameras: Cameras;
    instrumentation: Instrumentation;
    warn: (line: string) => void;
  },
): CameraSupervisor {
  const supervisor = startCameraSupervisor({
    listCameras: () => listCameras(readModels),
    openCredentials: async (row) =>
      row.credentials === undefined ? undefined : await cameras.secrets.open(row.credentials, row.id),
    async report(cameraId, report) {
      const event = report.status === "online"
        ? createEvent("camera.stream.online", {
          source: report.source,
          ...(report.codec === undefined ? {} : { codec: report.codec }),
          ...(report.width === undefined ? {} : { width: report.width }),
          ...(report.height === undefined ? {} : { height: report.height }),
        }, { key: cameraId, source: "cameras" })
        : createEvent("camera.stream.offline", { reason: report.reason.slice(0, 1024) }, {
          key: cameraId,
          source: "cameras",
        });
      await log.append(topics.device, [toLogMessage(event)]);
    },
    hls: cameras.hls,
    ...(cameras.janus ? { janus: cameras.janus } : {}),
    config: cameras.config,
    log: warn,
  });
  instrumentation.metrics.gauge("aiot_camera_relays", "Camera relays by phase.", () => {
    const counts = new Map<string, number>([["starting", 0], ["online", 0], ["backoff", 0]]);
    for (const r of supervisor.relays()) counts.set(r.phase, (counts.get(r.phase) ?? 0) + 1);
    return [...counts].map(([phase, value]) => ({ labels: { phase }, value }));
  });
  return supervisor;
}
