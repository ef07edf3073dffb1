/**
 * The camera supervisor (the `cameras` role): keeps one relay per camera of the read model
 * running, level-triggered — every `intervalMs` it lists the cameras and makes the running
 * relays match (new camera → start, changed source or recording → restart, removed → stop,
 * destroy its mountpoint, delete its media). Each relay's life is decided by the pure
 * `decideStream` (core/cameras/stream_state.ts); this file only runs what it decides: ffmpeg
 * processes, Janus mountpoints, `camera.stream.online/offline` events. A camera that fails never
 * holds up another: each has its own action queue, and ticks do not wait for them.
 *
 * At start it reconciles what an earlier run may have left: relays still alive (by their pid
 * files) are killed, mountpoints of its prefix are destroyed (each camera gets a fresh one when
 * its relay starts), media of cameras that no longer exist is deleted.
 */
import {
  decideStream,
  DEFAULT_STREAM_POLICY,
  initialStreamState,
  sourceWithCredentials,
  type StreamAction,
  type StreamFact,
  type StreamPolicy,
  type StreamState,
} from "../../core/cameras/mod.ts";
import type { CameraRow } from "../../core/readmodels/cameras/mod.ts";
import type { CameraConfig } from "./camera_config.ts";
import type { HlsStore } from "./hls_store.ts";
import type { JanusClient } from "./janus_client.ts";
import {
  createMountpoint,
  destroyMountpoint,
  listMountpoints,
  mountpointId,
  mountpointStreams,
  STREAMING_PLUGIN,
} from "./mountpoints.ts";
import { type RunningRelay, startRelay } from "./relay_process.ts";

export type StreamReport =
  | { status: "online"; source: "rtsp" | "push"; codec?: string; width?: number; height?: number }
  | { status: "offline"; reason: string };

export interface SupervisorDeps {
  listCameras(): Promise<CameraRow[]>;
  /** The camera's `user:password`, unsealed. */
  openCredentials(row: CameraRow): Promise<string | undefined>;
  /** Appends `camera.stream.online/offline` for the camera. */
  report(cameraId: string, report: StreamReport): Promise<void>;
  hls: HlsStore;
  janus?: JanusClient;
  config: CameraConfig;
  policy?: StreamPolicy;
  now?: () => number;
  /** Default 1 s. */
  intervalMs?: number;
  /** Retention sweeps run every this many ticks. Default 60. */
  sweepEveryTicks?: number;
  log?: (line: string) => void;
}

export interface CameraSupervisor {
  /** Resolves after the start-up reconciliation. */
  ready: Promise<void>;
  /** The relays, for metrics and tests. */
  relays(): { cameraId: string; phase: StreamState["phase"]; pid?: number }[];
  stop(): Promise<void>;
}

interface Relay {
  row: CameraRow;
  /** What forces a restart when it changes. */
  fingerprint: string;
  state: StreamState;
  process?: RunningRelay;
  /** The relay's actions, one after another. */
  queue: Promise<void>;
  removed: boolean;
}

const fingerprintOf = (row: CameraRow) => JSON.stringify([row.source, row.credentials ?? null, row.record]);

/** For a push camera, "nothing to play" means it does not publish. */
const offlineReason = (row: CameraRow, reason: string) =>
  row.source.kind === "push" && /^(no stream from the source|no video within|stream stalled)/.test(reason)
    ? "the camera is not publishing"
    : reason;

const reportedOf = (row: CameraRow) =>
  row.status === "online"
    ? { status: "online" as const }
    : row.status === "offline"
    ? { status: "offline" as const, reason: row.reason ?? "" }
    : undefined;

export function startCameraSupervisor(deps: SupervisorDeps): CameraSupervisor {
  const now = deps.now ?? Date.now;
  const policy = deps.policy ?? DEFAULT_STREAM_POLICY;
  const log = deps.log ?? ((line: string) => console.error(line));
  const { config, hls } = deps;
  const relays = new Map<string, Relay>();
  let stopped = false;
  let ticks = 0;

  /** A short-lived admin session on Janus' streaming plugin (no keepalive to manage). */
  const withStreaming = async <T>(
    use: (handle: Awaited<ReturnType<JanusClient["attach"]>>) => Promise<T>,
  ) => {
    const handle = await deps.janus!.attach(STREAMING_PLUGIN);
    try {
      return await use(handle);
    } finally {
      await handle.destroy();
    }
  };
  const adminKey = () => deps.janus?.options.secret ?? "";

  const enqueue = (relay: Relay, work: () => Promise<void>) => {
    relay.queue = relay.queue.then(work).catch((error) =>
      log(`cameras: ${relay.row.id}: ${error instanceof Error ? error.message : error}`)
    );
  };

  const apply = (relay: Relay, fact: StreamFact) => {
    if (relay.removed) return;
    const { state, actions } = decideStream(relay.state, fact, policy);
    relay.state = state;
    for (const action of actions) enqueue(relay, () => run(relay, action));
  };

  async function start(relay: Relay): Promise<void> {
    const { row } = relay;
    if (row.source.kind === "push" && !config.push) {
      apply(relay, {
        type: "exited",
        at: now(),
        reason: "push ingest is not configured (AIOT_CAMERA_RTMP_URL)",
      });
      return;
    }
    let ports: Awaited<ReturnType<typeof createMountpoint>> = [];
    try {
      if (deps.janus) {
        ports = await withStreaming((handle) =>
          createMountpoint(handle, {
            id: mountpointId(config.mountpointPrefix, row.id),
            description: `aiot camera ${row.id}`,
            streams: mountpointStreams(config.payloadTypes),
            adminKey: adminKey(),
          })
        );
      }
    } catch (error) {
      apply(relay, {
        type: "exited",
        at: now(),
        reason: `WebRTC gateway unavailable: ${(error as Error).message}`,
      });
      return;
    }
    const secret = await deps.openCredentials(row);
    // A push camera publishes to nginx-rtmp under its stream key; the relay plays that stream.
    const input = row.source.kind === "rtsp"
      ? sourceWithCredentials(row.source.url, secret)
      : `${config.push!.rtmpUrl}/${secret ?? ""}`;
    const dir = await hls.prepare(row.id);
    let process: RunningRelay;
    try {
      process = startRelay(
        { ffmpeg: config.ffmpeg, input, dir, rtp: { host: config.rtpHost, ports }, record: row.record },
        (fact) => {
          if (fact.type === "exited" && relay.process === process) delete relay.process;
          // Killed on purpose (a decided stop): the decision that stopped it already counted it; the
          // next start may be under way meanwhile, and must not read this exit as its own failure.
          if (fact.type === "exited" && fact.reason === "stopped") return;
          apply(relay, fact);
        },
        now,
      );
    } catch (error) {
      // No ffmpeg (AIOT_FFMPEG), or no permission to run it (--allow-run).
      const why = `cannot run ${config.ffmpeg}: ${(error as Error).message}`;
      apply(relay, { type: "exited", at: now(), reason: why });
      return;
    }
    relay.process = process;
    await hls.writePid(row.id, process.pid);
  }

  async function run(relay: Relay, action: StreamAction): Promise<void> {
    if (relay.removed || stopped) return;
    switch (action.kind) {
      case "start":
        return await start(relay);
      case "stop":
        await relay.process?.stop();
        return;
      case "report":
        await deps.report(
          relay.row.id,
          action.status === "online"
            ? {
              status: "online",
              source: relay.row.source.kind,
              ...(action.video?.codec ? { codec: action.video.codec } : {}),
              ...(action.video?.width ? { width: action.video.width } : {}),
              ...(action.video?.height ? { height: action.video.height } : {}),
            }
            : { status: "offline", reason: offlineReason(relay.row, action.reason) },
        );
    }
  }

  /** Stops a relay for good: its process, its mountpoint, and (when removed) its media. */
  async function retire(relay: Relay, deleteMedia: boolean): Promise<void> {
    relay.removed = true;
    await relay.queue;
    await relay.process?.stop();
    if (deps.janus) {
      await withStreaming((h) =>
        destroyMountpoint(h, mountpointId(config.mountpointPrefix, relay.row.id), adminKey())
      )
        .catch((error) => log(`cameras: ${relay.row.id}: cannot destroy its mountpoint: ${error.message}`));
    }
    if (deleteMedia) await hls.remove(relay.row.id);
  }

  async function reconcile(): Promise<void> {
    const rows = await deps.listCameras();
    const wanted = new Map(rows.map((row) => [row.id, row]));
    for (const [id, relay] of relays) {
      const row = wanted.get(id);
      if (row && fingerprintOf(row) === relay.fingerprint) {
        relay.row = row;
        continue;
      }
      relays.delete(id);
      await retire(relay, row === undefined);
    }
    for (const row of rows) {
      if (relays.has(row.id)) continue;
      relays.set(row.id, {
        row,
        fingerprint: fingerprintOf(row),
        state: initialStreamState(now(), reportedOf(row)),
        queue: Promise.resolve(),
        removed: false,
      });
    }
  }

  async function tick(): Promise<void> {
    await reconcile();
    const sweep = ++ticks % (deps.sweepEveryTicks ?? 60) === 0;
    for (const relay of relays.values()) {
      apply(relay, { type: "tick", at: now() });
      if (relay.row.record && relay.process) {
        await hls.indexNewSegments(relay.row.id).catch((error) =>
          log(`cameras: ${relay.row.id}: index: ${error.message}`)
        );
      }
      if (sweep) {
        await hls.sweep(relay.row.id, now() - relay.row.retentionHours * 3_600_000)
          .catch((error) => log(`cameras: ${relay.row.id}: retention: ${error.message}`));
      }
    }
  }

  /** What an earlier run may have left behind. */
  async function cleanUp(): Promise<void> {
    const rows = await deps.listCameras();
    const ids = new Set(rows.map((r) => r.id));
    for (const id of await hls.cameraIds()) {
      if (await hls.killStrayRelay(id)) log(`cameras: ${id}: killed the relay a previous run left behind`);
      if (!ids.has(id)) await hls.remove(id);
    }
    if (deps.janus) {
      const prefix = `${config.mountpointPrefix}-`;
      await withStreaming(async (handle) => {
        for (const id of await listMountpoints(handle)) {
          if (id.startsWith(prefix)) await destroyMountpoint(handle, id, adminKey());
        }
      }).catch((error) => log(`cameras: cannot clean up Janus mountpoints: ${error.message}`));
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    running = tick()
      .catch((error) => log(`cameras: reconcile failed: ${error instanceof Error ? error.message : error}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, deps.intervalMs ?? 1000);
      });
  };
  const ready = cleanUp().then(loop);

  return {
    ready,
    relays: () =>
      [...relays.entries()].map(([cameraId, r]) => ({
        cameraId,
        phase: r.state.phase,
        ...(r.process ? { pid: r.process.pid } : {}),
      })),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ready.catch(() => {});
      await running;
      await Promise.all([...relays.values()].map((relay) => retire(relay, false)));
      relays.clear();
    },
  };
}
