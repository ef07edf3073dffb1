/**
 * The faults-under-load scenario: a steady QoS 1 device load runs the whole time while each fault
 * is injected in turn and repaired; afterwards every acknowledged message is looked up in the log,
 * the time series and the read models, and the dead-letter read model is compared with the
 * malformed messages that were sent. Messages belong to the fault during whose phase they were
 * sent (by their `ts`), so each fault gets its own row.
 *
 * Time is measured, never asserted, except as generous deadlines that turn a hang into a failure.
 */
import { type DeviceLoad, startDeviceLoad } from "./device_load.ts";
import type { SplitTopology } from "./split_topology.ts";

export interface ScenarioSize {
  devices: number;
  /** Messages per second, over all devices. */
  rate: number;
  /** Load before the first fault, and between the repair of one fault and the next. */
  settleMs: number;
  /** How long a cut lasts. */
  outageMs: number;
  /** Give up waiting for a recovery after this long (the run then fails). */
  recoveryDeadlineMs: number;
}

export interface Fault {
  name: string;
  /** Breaks something; resolves when it is broken. */
  inject(topology: SplitTopology): Promise<void>;
  /** Repairs it (restart, restore); resolves when the repair was done. */
  repair(topology: SplitTopology): Promise<void>;
}

export const FAULTS: Fault[] = [
  {
    name: "projector process kill -9, restart",
    inject: (t) => t.projectors.kill9(),
    repair: (t) => t.projectors.start(),
  },
  {
    name: "gateway process kill -9, restart",
    inject: (t) => t.gateway.kill9(),
    repair: (t) => t.gateway.start(),
  },
  {
    name: "PostgreSQL cut, restored (proxy)",
    inject: (t) => Promise.resolve(t.postgresLink.cut()),
    repair: (t) => Promise.resolve(t.postgresLink.restore()),
  },
  {
    name: "Kafka cut, restored (proxy)",
    inject: (t) => Promise.resolve(t.kafka.proxy.cut()),
    repair: (t) => Promise.resolve(t.kafka.proxy.restore()),
  },
  {
    name: "gateway-Mosquitto link cut, restored (proxy)",
    inject: (t) => Promise.resolve(t.brokerLink.cut()),
    repair: (t) => Promise.resolve(t.brokerLink.restore()),
  },
];

export interface FaultRow {
  fault: string;
  /** Messages sent during the phase, and of those acknowledged (PUBACK) to the devices. */
  sent: number;
  acknowledged: number;
  /** Acknowledged messages whose point is in the time series. */
  stored: number;
  /** Acknowledged messages missing from the time series. */
  missing: number;
  /** Telemetry events in the log for the phase's messages, beyond one per message. */
  logDuplicates: number;
  /** Malformed messages sent during the phase, and how many of them the DLQ read model holds. */
  malformedSent: number;
  malformedInDlq: number;
  /** From the repair until everything acknowledged before it was in the time series; undefined: not within the deadline. */
  recoveryMs: number | undefined;
  /** From the fault until that moment. */
  outageToRecoveredMs: number | undefined;
  /** Processes that exited on their own during the phase (and were restarted), e.g. `api ×1`. */
  crashes: string;
}

export interface ScenarioResult {
  rows: FaultRow[];
  sent: number;
  acknowledged: number;
  /** Distinct `seq` points in the time series, and points not matching any acknowledged message. */
  storedPoints: number;
  unexpectedPoints: number;
  /** Sum of the daily rollup counts of `seq`. */
  rollupCount: number;
  /** Sum of `device_metrics.count` of `seq`, and devices whose count differs from their acknowledged messages. */
  deviceMetricsCount: number;
  deviceMetricsMismatches: string[];
  /** Telemetry events in the log, and those that repeat a message already in it. */
  logEvents: number;
  logDuplicates: number;
  /** DLQ rows that are not one of the malformed messages sent, and sent ones missing or repeated. */
  dlqUnexpected: number;
  dlqMissingOrRepeated: string[];
  deviceDisconnects: number;
  /** Processes that exited on their own while the topology started (restarted, like compose). */
  startupExits: string[];
  durationMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(condition: () => Promise<boolean> | boolean, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    // A probe that fails (the API process being restarted after a crash) is just "not yet".
    if (await Promise.resolve().then(condition).catch(() => false)) return true;
    await sleep(200);
  }
  return false;
}

/** Everything acknowledged with `ts < before` is in the time series. */
function caughtUp(topology: SplitTopology, load: DeviceLoad, before: number): boolean {
  let acked = 0;
  for (const m of load.messages) if (m.ts < before && m.acked) acked++;
  return topology.probe.seqPointsBefore(before) >= acked;
}

interface DlqItem {
  deviceId?: string;
  reason: string;
  payload: string;
}

async function dlqItems(topology: SplitTopology): Promise<DlqItem[]> {
  const items: DlqItem[] = [];
  let cursor: string | undefined;
  do {
    const url = `${topology.api.base}/api/v1/dlq?limit=100${cursor ? `&cursor=${cursor}` : ""}`;
    const response = await fetch(url, { headers: topology.headers });
    if (!response.ok) throw new Error(`GET /dlq: ${response.status} ${await response.text()}`);
    const page = await response.json() as { items: DlqItem[]; next?: string };
    items.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return items;
}

/** The text of a DLQ payload (base64 of the raw bytes, or the text itself). */
function payloadText(payload: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0)));
  } catch {
    return payload;
  }
}

export async function runFaultsUnderLoad(
  topology: SplitTopology,
  size: ScenarioSize,
  options: { faults?: Fault[]; progress: (line: string) => void },
): Promise<ScenarioResult> {
  const faults = options.faults ?? FAULTS;
  const started = Date.now();
  const load = await startDeviceLoad(topology.broker.url, topology.devices, { rate: size.rate });
  const phases: { fault: Fault; from: number; markers: string[]; repairedAt: number; injectedAt: number }[] =
    [];
  const recovery = new Map<number, number | undefined>();
  try {
    await sleep(size.settleMs);
    for (const [i, fault] of faults.entries()) {
      const from = Date.now();
      const markers = [0, 1].map((k) => `fault-${i}-bad-${k}-${crypto.randomUUID().slice(0, 8)}`);
      for (const marker of markers) await load.publishMalformed(marker);
      await sleep(1_000);
      const injectedAt = Date.now();
      await fault.inject(topology);
      options.progress(`${fault.name}: injected (acked so far ${load.acked})`);
      await sleep(size.outageMs);
      await fault.repair(topology);
      const repairedAt = Date.now();
      options.progress(`${fault.name}: repaired after ${repairedAt - injectedAt} ms`);
      phases.push({ fault, from, markers, repairedAt, injectedAt });
      const ok = await waitFor(() => caughtUp(topology, load, repairedAt), size.recoveryDeadlineMs);
      recovery.set(i, ok ? Date.now() - repairedAt : undefined);
      options.progress(
        `${fault.name}: ${ok ? `recovered ${Date.now() - repairedAt} ms after the repair` : "NOT recovered"}`,
      );
      await sleep(size.settleMs);
    }
  } finally {
    await load.stop(Date.now() + 60_000);
  }
  const end = Date.now();
  const acknowledged = load.messages.filter((m) => m.acked);
  options.progress(`load stopped: ${load.messages.length} sent, ${acknowledged.length} acknowledged`);
  await waitFor(() => caughtUp(topology, load, end + 1), size.recoveryDeadlineMs);
  // The read models project the same topic on their own checkpoints: wait for them too.
  const ackedPerDevice = new Map<string, number>();
  for (const m of acknowledged) ackedPerDevice.set(m.deviceId, (ackedPerDevice.get(m.deviceId) ?? 0) + 1);
  let counts = new Map<string, number>();
  await waitFor(async () => {
    counts = await topology.probe.deviceMetricCounts();
    return [...ackedPerDevice].every(([id, n]) => (counts.get(id) ?? 0) >= n);
  }, size.recoveryDeadlineMs);
  const allMarkers = phases.flatMap((p) => p.markers);
  let dlq: DlqItem[] = [];
  await waitFor(async () => {
    dlq = await dlqItems(topology);
    return dlq.length >= allMarkers.length;
  }, size.recoveryDeadlineMs);
  await sleep(2_000); // anything extra (a repeat, a dead-lettered outage) would show up now
  await waitFor(async () => (dlq = await dlqItems(topology), true), size.recoveryDeadlineMs);
  counts = await topology.probe.deviceMetricCounts();

  const points = topology.probe.seqPoints();
  const stored = new Map([...points].map(([id, ts]) => [id, new Set(ts)]));
  const log = await topology.probe.logSeqs();
  const logCount = new Map<string, Map<number, number>>();
  for (const [id, seqs] of log) {
    const byId = new Map<number, number>();
    for (const s of seqs) byId.set(s, (byId.get(s) ?? 0) + 1);
    logCount.set(id, byId);
  }
  const dlqTexts = dlq.map((item) => payloadText(item.payload));
  const markerHits = (marker: string) => dlqTexts.filter((text) => text.includes(marker)).length;

  const rows: FaultRow[] = phases.map((phase, i) => {
    // The load before the first fault counts with the first one.
    const [from, until] = [i === 0 ? 0 : phase.from, phases[i + 1]?.from ?? Infinity];
    const inPhase = load.messages.filter((m) => m.ts >= from && m.ts < until);
    const acked = inPhase.filter((m) => m.acked);
    const storedCount = acked.filter((m) => stored.get(m.deviceId)?.has(m.ts)).length;
    const duplicates = inPhase.reduce(
      (sum, m) => sum + Math.max(0, (logCount.get(m.deviceId)?.get(m.seq) ?? 0) - 1),
      0,
    );
    const recoveryMs = recovery.get(i);
    const crashes = [topology.gateway, topology.projectors, topology.api]
      .map((role) =>
        [
          role.name,
          role.unexpectedExits.filter((e) => e.at >= Math.max(from, started) && e.at < until).length,
        ] as const
      )
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name} ×${n}`)
      .join(", ");
    return {
      crashes: crashes || "none",
      fault: phase.fault.name,
      sent: inPhase.length,
      acknowledged: acked.length,
      stored: storedCount,
      missing: acked.length - storedCount,
      logDuplicates: duplicates,
      malformedSent: phase.markers.length,
      malformedInDlq: phase.markers.reduce((sum, marker) => sum + markerHits(marker), 0),
      recoveryMs,
      outageToRecoveredMs: recoveryMs === undefined
        ? undefined
        : phase.repairedAt + recoveryMs - phase.injectedAt,
    };
  });

  const ackedKeys = new Set(acknowledged.map((m) => `${m.deviceId}@${m.ts}`));
  let storedPoints = 0;
  let unexpectedPoints = 0;
  for (const [id, ts] of stored) {
    for (const t of ts) {
      storedPoints++;
      if (!ackedKeys.has(`${id}@${t}`)) unexpectedPoints++;
    }
  }
  const logEvents = [...log.values()].reduce((sum, seqs) => sum + seqs.length, 0);
  const distinctInLog = [...logCount.values()].reduce((sum, byId) => sum + byId.size, 0);
  return {
    rows,
    sent: load.messages.length,
    acknowledged: acknowledged.length,
    storedPoints,
    unexpectedPoints,
    rollupCount: topology.probe.seqRollupCount(),
    deviceMetricsCount: [...counts.values()].reduce((a, b) => a + b, 0),
    deviceMetricsMismatches: [...ackedPerDevice]
      .filter(([id, n]) => counts.get(id) !== n)
      .map(([id, n]) => `${id}: ${counts.get(id) ?? 0} counted, ${n} acknowledged`),
    logEvents,
    logDuplicates: logEvents - distinctInLog,
    dlqUnexpected: dlqTexts.filter((text) => !allMarkers.some((marker) => text.includes(marker))).length,
    dlqMissingOrRepeated: allMarkers.filter((marker) => markerHits(marker) !== 1)
      .map((marker) => `${marker}: ${markerHits(marker)}×`),
    deviceDisconnects: load.disconnects,
    startupExits: [topology.gateway, topology.projectors, topology.api]
      .flatMap((role) =>
        role.unexpectedExits.filter((e) => e.at < started).map((e) => `${role.name} (code ${e.code})`)
      ),
    durationMs: end - started,
  };
}

const seconds = (ms: number | undefined) =>
  ms === undefined ? "not within deadline" : `${(ms / 1000).toFixed(1)} s`;

/** The fault table of docs/reliability.md. */
export function faultTable(result: ScenarioResult): string {
  const lines = [
    "| fault | sent | acknowledged | stored | missing | log duplicates | DLQ (malformed sent → in /dlq) | recovery after repair | fault → recovered | processes crashed |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...result.rows.map((r) =>
      `| ${r.fault} | ${r.sent} | ${r.acknowledged} | ${r.stored} | ${r.missing} | ${r.logDuplicates} | ${r.malformedSent} → ${r.malformedInDlq} | ${
        seconds(r.recoveryMs)
      } | ${seconds(r.outageToRecoveredMs)} | ${r.crashes} |`
    ),
  ];
  return lines.join("\n");
}

export function summary(result: ScenarioResult): string {
  return [
    `sent ${result.sent}, acknowledged ${result.acknowledged} in ${
      (result.durationMs / 1000).toFixed(0)
    } s ` +
    `(${Math.round(result.acknowledged / (result.durationMs / 1000))} msg/s)`,
    `time series: ${result.storedPoints} seq points (${result.unexpectedPoints} not acknowledged), ` +
    `daily rollup count ${result.rollupCount}`,
    `device_metrics: count ${result.deviceMetricsCount}, ${result.deviceMetricsMismatches.length} devices off` +
    (result.deviceMetricsMismatches.length
      ? ` (${result.deviceMetricsMismatches.slice(0, 5).join("; ")})`
      : ""),
    `log: ${result.logEvents} telemetry events, ${result.logDuplicates} duplicates`,
    `DLQ: ${result.dlqUnexpected} unexpected rows; missing or repeated: ${
      result.dlqMissingOrRepeated.join(", ") || "none"
    }`,
    `device connections lost: ${result.deviceDisconnects}`,
    `processes that exited on their own during start-up: ${result.startupExits.join(", ") || "none"}`,
  ].join("\n");
}
