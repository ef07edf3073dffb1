/**
 * Baseline for `deno task bench live`: what the load generator and the machine allow without
 * AIOT. A plain aedes 1.2.0 broker (no auth, no hooks) and an HTTP server in one Deno process;
 * every publish on `devices/<id>/telemetry` is turned into one SSE frame (its JSON parsed, a small
 * envelope built), and the frames of each event-loop turn are written to every open `GET` stream
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
  const deviceId = packet.topic.slice("devices/".length, -"/telemetry".length);
  pending.push(
    `event: telemetry.reported\ndata: ${
      JSON.stringify({
        type: "telemetry.reported",
        deviceId,
        data: { values: [{ name: "sent", value: sent }] },
      })
    }\n\n`,
  );
  if (pending.length === 1) setTimeout(flush, 0);
});

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
