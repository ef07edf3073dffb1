/**
 * Baseline broker for `deno task bench ingest` / `connections`: a plain aedes 1.2.0 broker on a
 * node:net server, no auth, no hooks, no persistence beyond aedes' in-memory defaults. Run as its
 * own process: `deno run -A bench/raw_aedes.ts PORT`; prints "ready" when listening.
 */
import { Aedes } from "aedes";
import { createServer } from "node:net";

const port = Number(Deno.args[0] ?? 1883);
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(port, "127.0.0.1", () => console.log("ready"));
Deno.addSignalListener("SIGTERM", () => {
  server.close();
  broker.close(() => Deno.exit(0));
});
