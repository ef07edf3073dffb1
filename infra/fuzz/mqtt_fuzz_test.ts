/**
 * Fuzzes the embedded MQTT broker of the whole platform (real ingest, registry and log) with the
 * malformed and boundary packets of `mqtt_cases.ts`, from many raw TCP connections at once, while
 * a well-behaved device publishes QoS 1 telemetry the whole time. Bounded by AIOT_FUZZ_SECONDS
 * (default 20 s of fuzzing; the test takes about 10 s more); AIOT_FUZZ_SEED replays a run.
 *
 * What must hold afterwards: the good device was never cut off and every message it had
 * acknowledged is in the log; the broker's own bookkeeping let go of every fuzz connection (the
 * per-address connection cap admits a full set of fresh connections, and no fuzz device counts as
 * connected); the isolate's heap did not grow without bound.
 */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { decodeEvent } from "../../core/events/codec.ts";
import { startInProcess } from "../all_in_one/in_process.ts";
import { fuzzSeconds, fuzzSeed } from "./fuzz_budget.ts";
import { connect, type FuzzCase, fuzzCase, type FuzzDevice } from "./mqtt_cases.ts";

const WORKERS = 12;
/** Connections the broker admits per address: fuzz workers + good device + room to spare. */
const CONNECTION_CAP = 40;
/** Longest the good device may wait for one acknowledgement while the broker is under fuzz. */
const MAX_ACK_GAP_MS = 15_000;
/**
 * Heap growth allowed over the run (no GC is forced, so garbage counts: 20 s left ~160 MiB uncollected,
 * ~12 MiB after a forced GC). Generous: it catches a runaway buffer, the bookkeeping checks catch leaks.
 */
const MAX_HEAP_GROWTH_BYTES = 512 * 1024 * 1024;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one case on a fresh connection, reads (and drops) whatever comes back, then closes. */
async function runCase(port: number, fuzz: FuzzCase): Promise<void> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return; // refused at the cap or under load: not a finding by itself (the cap is checked after)
  }
  let closed = false;
  const reading = (async () => {
    const buffer = new Uint8Array(16 * 1024);
    try {
      while ((await conn.read(buffer)) !== null) { /* drain */ }
    } catch { /* reset */ }
    closed = true;
  })();
  try {
    for (const bytes of fuzz.writes) {
      if (closed) break;
      let written = 0;
      while (written < bytes.length) written += await conn.write(bytes.subarray(written));
    }
  } catch { /* the broker closed the connection: expected for most cases */ }
  const until = Date.now() + fuzz.lingerMs;
  while (!closed && Date.now() < until) await sleep(10);
  try {
    conn.close();
  } catch { /* already closed */ }
  await reading;
}

/** Opens `count` connections that log in as `device`; resolves with how many got CONNACK 0. */
async function admitted(port: number, device: FuzzDevice, count: number): Promise<number> {
  const conns: Deno.TcpConn[] = [];
  try {
    const results = await Promise.all(Array.from({ length: count }, async (_, i) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(conn);
      await conn.write(connect(`${device.id}-probe-${i}`, device.id, device.token));
      const connack = new Uint8Array(4);
      let got = 0;
      const timer = setTimeout(() => conn.close(), 10_000);
      try {
        while (got < 4) {
          const n = await conn.read(connack.subarray(got));
          if (n === null) break;
          got += n;
        }
      } catch {
        /* closed */
      } finally {
        clearTimeout(timer);
      }
      return got === 4 && connack[0] === 0x20 && connack[3] === 0;
    }));
    return results.filter(Boolean).length;
  } finally {
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed by the timer or the broker */ }
    }
  }
}

Deno.test({
  name:
    "mqtt fuzz: malformed packets leave the broker up, bounded, and a good device's QoS 1 data in the log",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const seed = fuzzSeed();
    const seconds = fuzzSeconds(20);
    // Printed first, so a crash of the whole worker still leaves the seed in the output.
    console.log(
      `mqtt fuzz: seed ${seed}, ${seconds} s (replay: AIOT_FUZZ_SEED=${seed} AIOT_FUZZ_SECONDS=${seconds})`,
    );
    const h = await startInProcess({
      env: {
        AIOT_MQTT_MAX_CONNECTIONS_PER_ADDRESS: String(CONNECTION_CAP),
        AIOT_MQTT_MAX_CONNECTIONS: String(CONNECTION_CAP),
      },
    });
    const recent: string[] = [];
    let cases = 0;
    try {
      const register = async (id: string): Promise<FuzzDevice> => {
        const response = await fetch(`${h.base}/api/v1/devices`, {
          method: "POST",
          headers: h.headers,
          body: JSON.stringify({ id }),
        });
        assert.equal(response.status, 201, await response.clone().text());
        return { id, token: (await response.json()).token };
      };
      const good = await register("good-dev");
      const fuzzDevice = await register("fuzz-dev");
      const port = h.platform.broker!.mqttPort!;
      const heapBefore = Deno.memoryUsage().heapUsed;

      const device = await mqtt.connectAsync(h.mqttUrl, {
        clientId: good.id,
        username: good.id,
        password: good.token,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      let cutOff: string | undefined;
      device.on("close", () => cutOff ??= "the good device's connection closed");
      const acked: number[] = [];
      let lastAck = Date.now(), maxGap = 0, seq = 0;
      const publishOne = async () => {
        const n = ++seq;
        await device.publishAsync(`devices/${good.id}/telemetry`, JSON.stringify({ seq: n }), { qos: 1 });
        acked.push(n);
        maxGap = Math.max(maxGap, Date.now() - lastAck);
        lastAck = Date.now();
      };

      const deadline = Date.now() + seconds * 1000;
      let fuzzing = true;
      const goodDevice = (async () => {
        while (fuzzing && !cutOff) {
          await publishOne();
          await sleep(20);
        }
      })();
      await Promise.all(Array.from({ length: WORKERS }, async () => {
        while (Date.now() < deadline && !cutOff) {
          const fuzz = fuzzCase(seed, cases++, fuzzDevice);
          recent.push(fuzz.name);
          if (recent.length > 20) recent.shift();
          await runCase(port, fuzz);
        }
      }));
      fuzzing = false;
      await goodDevice;
      const duringFuzz = acked.length;
      for (let i = 0; i < 20; i++) await publishOne();
      assert.equal(cutOff, undefined);
      assert.ok(duringFuzz > 0, "the good device got no acknowledgement while the fuzz ran");
      assert.ok(maxGap <= MAX_ACK_GAP_MS, `the good device waited ${maxGap} ms for one acknowledgement`);

      // Every acknowledged message is in the log (acknowledged means appended).
      const logged = new Set<number>();
      for await (const chunk of h.platform.log.replay(h.platform.topics.telemetry)) {
        for (const record of chunk) {
          const decoded = decodeEvent(record.value);
          if (!decoded.ok || decoded.event.key !== good.id) continue;
          const values = (decoded.event.data as { values: { name: string; value: unknown }[] }).values;
          for (const v of values) if (v.name === "seq") logged.add(v.value as number);
        }
      }
      const missing = acked.filter((n) => !logged.has(n));
      assert.deepEqual(
        missing,
        [],
        `${missing.length} of ${acked.length} acknowledged messages are not in the log`,
      );

      // The broker let go of every fuzz connection: its cap admits a full set again (the good device
      // holds one slot), and only the good device counts as connected.
      let open = 0;
      for (let attempt = 0; attempt < 40 && open < CONNECTION_CAP - 1; attempt++) {
        if (attempt > 0) await sleep(250);
        open = await admitted(port, fuzzDevice, CONNECTION_CAP - 1);
      }
      assert.equal(open, CONNECTION_CAP - 1, `the connection cap admitted ${open} of ${CONNECTION_CAP - 1}`);
      for (let i = 0; i < 100 && h.platform.broker!.connectedDevices() !== 1; i++) await sleep(50);
      assert.equal(h.platform.broker!.connectedDevices(), 1, "connected devices after the fuzz");
      await device.endAsync();

      const heapAfter = Deno.memoryUsage().heapUsed;
      console.log(
        `mqtt fuzz: ${cases} cases, ${acked.length} good messages acknowledged and logged, longest ack wait ` +
          `${maxGap} ms, heap ${Math.round(heapBefore / 2 ** 20)} -> ${
            Math.round(heapAfter / 2 ** 20)
          } MiB, ` +
          `rss ${Math.round(Deno.memoryUsage().rss / 2 ** 20)} MiB`,
      );
      assert.ok(
        heapAfter - heapBefore < MAX_HEAP_GROWTH_BYTES,
        `heap grew by ${heapAfter - heapBefore} bytes`,
      );
    } catch (error) {
      throw new Error(
        `mqtt fuzz failed with seed ${seed} after ${cases} cases (replay: AIOT_FUZZ_SEED=${seed}); ` +
          `last cases: ${recent.join(", ")}`,
        { cause: error },
      );
    } finally {
      await h.close();
      await Deno.remove(h.dataDir, { recursive: true }).catch(() => {});
    }
  },
});
