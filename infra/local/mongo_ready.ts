// Readiness probe for the local MongoDB-wire engine (FerretDB): real `ping` and `buildInfo` commands.
// Usage: deno run --no-lock --allow-net --allow-env --allow-sys --allow-read infra/local/mongo_ready.ts [url]
// Exit 0 when the server answered, 1 otherwise (error on stderr).
import { MongoClient } from "mongodb";

const url = Deno.args[0] ?? Deno.env.get("AIOT_TEST_MONGO_URL") ?? "mongodb://127.0.0.1:17017/";
const client = new MongoClient(url, { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 2000 });
try {
  await client.connect();
  const db = client.db("admin");
  const ping = await db.command({ ping: 1 });
  if (ping["ok"] !== 1) throw new Error(`ping answered ${JSON.stringify(ping)}`);
  const info = await db.command({ buildInfo: 1 });
  console.log(`mongo ok: version ${String(info["version"])}`);
  await client.close();
  Deno.exit(0);
} catch (err) {
  console.error(`mongo_ready: ${err instanceof Error ? err.message : String(err)}`);
  await client.close().catch(() => {});
  Deno.exit(1);
}
