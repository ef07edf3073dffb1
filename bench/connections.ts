/**
 * Bench `connections`: opens many concurrent MQTT connections (raw MQTT 3.1.1 CONNECT over TCP, no
 * client library, keep-alive 0) to the all-in-one process and to a plain aedes broker, holds them,
 * and reads each broker process's RSS and peak RSS from /proc. Many connections share a few
 * devices: the gateway namespaces client ids per device, so one device may hold many sessions.
 */
import { memoryOf, startPlatform, startRawAedes } from "./platform_child.ts";

export interface ConnectionsResult {
  label: string;
  target: number;
  connected: number;
  failed: number;
  connectMs: number;
  stillOpen: number;
  idleRssMiB: number;
  rssMiB: number;
  peakMiB: number;
}

const encoder = new TextEncoder();

function mqttString(s: string): number[] {
  const bytes = encoder.encode(s);
  return [bytes.length >> 8, bytes.length & 255, ...bytes];
}

function connectPacket(clientId: string, username?: string, password?: string): Uint8Array {
  const flags = 0x02 | (username !== undefined ? 0x80 : 0) | (password !== undefined ? 0x40 : 0);
  const body = [
    ...mqttString("MQTT"),
    4,
    flags,
    0,
    0, // keep-alive 0: no PINGREQ needed while held
    ...mqttString(clientId),
    ...(username !== undefined ? mqttString(username) : []),
    ...(password !== undefined ? mqttString(password) : []),
  ];
  const length: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 128;
    length.push(byte);
  } while (n > 0);
  return new Uint8Array([0x10, ...length, ...body]);
}

async function readConnack(conn: Deno.Conn): Promise<boolean> {
  const buffer = new Uint8Array(4);
  let got = 0;
  while (got < 4) {
    const n = await conn.read(buffer.subarray(got));
    if (n === null) return false;
    got += n;
  }
  return buffer[0] === 0x20 && buffer[3] === 0;
}

async function openMany(
  port: number,
  target: number,
  credentials: (i: number) => { clientId: string; username?: string; password?: string },
  progress: (line: string) => void,
): Promise<{ conns: Deno.Conn[]; failed: number; ms: number; closed: () => number }> {
  const conns: Deno.Conn[] = [];
  let failed = 0;
  let closed = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < target) {
      const i = next++;
      const c = credentials(i);
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(connectPacket(c.clientId, c.username, c.password));
        if (await readConnack(conn)) {
          conns.push(conn);
          // Watch for the server closing it while held.
          (async () => {
            const sink = new Uint8Array(64);
            try {
              while ((await conn.read(sink)) !== null) { /* ignore */ }
            } catch { /* closed by us */ }
            closed++;
          })();
        } else {
          failed++;
          conn.close();
        }
      } catch {
        failed++;
      }
      if ((conns.length + failed) % 2000 === 0) {
        progress(`  connections: ${conns.length} open, ${failed} failed`);
      }
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  return { conns, failed, ms: performance.now() - started, closed: () => closed };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureConnections(
  target: number,
  progress: (line: string) => void,
): Promise<ConnectionsResult[]> {
  const results: ConnectionsResult[] = [];
  const DEVICES = 10;

  /** Opens `target` connections to a broker process, holds them, and records its memory. */
  const measure = async (
    label: string,
    broker: { pid: number; port: number },
    credentials: (i: number) => { clientId: string; username?: string; password?: string },
  ) => {
    const idle = await memoryOf(broker.pid);
    const { conns, failed, ms, closed } = await openMany(broker.port, target, credentials, progress);
    await sleep(5000); // hold; let connection events settle
    results.push({
      label,
      target,
      connected: conns.length,
      failed,
      connectMs: ms,
      stillOpen: conns.length - closed(),
      idleRssMiB: idle.rssMiB,
      ...await memoryOf(broker.pid),
    });
    for (const conn of conns) conn.close();
  };

  const platform = await startPlatform();
  try {
    const tokens: string[] = [];
    for (let d = 0; d < DEVICES; d++) tokens.push(await platform.register(`bench-conn-${d}`));
    await sleep(1000);
    await measure(
      `all-in-one (embedded, ${DEVICES} devices × ${target / DEVICES} client ids)`,
      { pid: platform.pid, port: platform.mqttPort },
      (i) => ({ clientId: `c${i}`, username: `bench-conn-${i % DEVICES}`, password: tokens[i % DEVICES]! }),
    );
  } finally {
    await platform.stop();
  }

  const raw = await startRawAedes();
  try {
    await sleep(500);
    await measure("plain aedes (no auth)", raw, (i) => ({ clientId: `c${i}` }));
  } finally {
    await raw.stop();
  }
  return results;
}
