/**
 * Baseline for `deno task bench live`: what the load generator and the machine allow without
 * AIOT. A plain aedes 1.2.0 broker (no auth, no hooks) and an HTTP server in one Deno process;
 * every publish on `devices/<id>/telemetry` is turned into one SSE frame of the size and shape
 * AIOT's are (its JSON parsed, an envelope and a resume-token-sized id built), and the frames of each event-loop turn are written to every open `GET` stream
 * as one chunk (as AIOT's hub does). No log, no persistence, no
 * per-client filters: the floor AIOT's publish → SSE latency is measured against.
 *
 * `deno run -A bench/live_baseline_server.ts MQTT_PORT HTTP_PORT`; prints "ready" when listening.
 */
import { Aedes } from "aedes";
import { createServer } from "node:net";

const mqttPort = Number(Deno.args[0]);
const httpPort = Number(Deno.args[1]);
const encoder = new TextEncoder();
const clients = new Set<ReadableStreamDefaultController<Uint8Array>>();

const broker = await Aedes.createBroker();
broker.on("publish", (packet) => {
  if (!packet.topic.startsWith("devices/") || !packet.topic.endsWith("/telemetry")) return;
  let sent: unknown;
  try {
    sent = (JSON.parse(packet.payload.toString()) as { sent?: unknown }).sent;
  } catch {
    return;
  }
  const key = packet.topic.slice("devices/".length, -"/telemetry".length);
  const now = Date.now();
  const time = new Date(now).toISOString();
  // The frame AIOT sends, field for field and about byte for byte (~650 bytes: the client's cost
  // of reading it is part of what both sides measure): an id as long as AIOT's resume token for
  // six topics of four partitions, then the envelope.
  const id = btoa(JSON.stringify(Array.from({ length: 24 }, (_, i) => [i >> 2, i & 3, ++seq])));
  const envelope = {
    id: crypto.randomUUID(),
    type: "telemetry.reported",
    v: 2,
    key,
    time,
    ingestedAt: time,
    source: "ingest",
    data: { values: [{ name: "sent", value: sent, ts: now, quality: "good" }], qos: packet.qos },
  };
  pending.push(`event: telemetry.reported\nid: ${id}\ndata: ${JSON.stringify(envelope)}\n\n`);
  if (pending.length === 1) setTimeout(flush, 0);
});

let seq = 0;

/** Frames of one turn go to each stream as one chunk: one write per client per turn, not per frame. */
let pending: string[] = [];
function flush(): void {
  const chunk = encoder.encode(pending.join(""));
  pending = [];
  for (const client of clients) client.enqueue(chunk);
}
const mqtt = createServer(broker.handle);
await new Promise<void>((resolve) => mqtt.listen(mqttPort, "127.0.0.1", resolve));

const http = Deno.serve(
  { port: httpPort, hostname: "127.0.0.1", onListen: () => console.log("ready") },
  () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        clients.add(c);
        c.enqueue(encoder.encode(": connected\n\n"));
      },
      cancel() {
        clients.delete(controller);
      },
    });
    return new Response(body, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
    });
  },
);

Deno.addSignalListener("SIGTERM", async () => {
  for (const client of clients) client.close();
  mqtt.close();
  await http.shutdown();
  broker.close(() => Deno.exit(0));
});
