/**
 * Firmware download throughput (design §10, issue 13's target: ≥ 0.7 of a plain file server):
 * 10 concurrent downloads of one 100 MB image from (a) a plain `Deno.serve` file server
 * (`new Response(file.readable)`), (b) AIOT's download route over the real file store in a minimal
 * process, (c) the all-in-one with embedded engines — each a child process, interleaved rounds in
 * the same run, the client discarding the bytes. Not a `deno task bench` scenario yet:
 * `deno run --allow-all bench/firmware_download.ts [--rounds N]`.
 */
import { bytesToBase64 } from "../core/encoding.ts";
import { createDownloadSigner, createDownloadUrlFor } from "../core/firmware/mod.ts";
import { roleProcess } from "../infra/faults/role_process.ts";

const IMAGE_BYTES = 100 * 1000 * 1000;
const DOWNLOADS = 10;
const roundsArg = Deno.args.indexOf("--rounds");
const ROUNDS = roundsArg >= 0 ? Number(Deno.args[roundsArg + 1]) : 3;

const PLAIN_SERVER = `
const path = Deno.args[0];
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
  const file = await Deno.open(path);
  const { size } = await file.stat();
  return new Response(file.readable, { headers: { "content-length": String(size) } });
});
console.log(JSON.stringify({ base: "http://127.0.0.1:" + server.addr.port }));
`;

function pattern(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(65_536, size - sent)).map((_, i) => (sent + i) & 0xff);
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

async function firstLine(child: Deno.ChildProcess): Promise<string> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await reader.read()).value ?? "";
  reader.releaseLock();
  return text.split("\n")[0]!;
}

const spawn = (args: string[]) =>
  new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" }).spawn();

/** MB/s of `DOWNLOADS` concurrent downloads of `url()`; every byte counted, none kept. */
async function throughput(url: (i: number) => Promise<string>): Promise<number> {
  const urls = await Promise.all(Array.from({ length: DOWNLOADS }, (_, i) => url(i)));
  const started = performance.now();
  const sizes = await Promise.all(urls.map(async (u) => {
    const response = await fetch(u);
    let n = 0;
    for await (const chunk of response.body!) n += chunk.length;
    return n;
  }));
  const seconds = (performance.now() - started) / 1000;
  for (const n of sizes) if (n !== IMAGE_BYTES) throw new Error(`short download: ${n} bytes`);
  return (DOWNLOADS * IMAGE_BYTES) / 1e6 / seconds;
}

const dir = await Deno.makeTempDir({ prefix: "aiot-bench-firmware-" });
const key = crypto.getRandomValues(new Uint8Array(32));
const signer = await createDownloadSigner(key);
const plainFile = `${dir}/plain.bin`;
await pattern(IMAGE_BYTES).pipeTo((await Deno.create(plainFile)).writable);

const plain = spawn(["eval", PLAIN_SERVER, plainFile]);
const minimal = spawn([
  "run",
  "--allow-all",
  new URL("../infra/all_in_one/_firmware_server.ts", import.meta.url).pathname,
  `${dir}/minimal`,
  bytesToBase64(key),
]);
const password = `admin-${crypto.randomUUID()}`;
const aio = await roleProcess("bench-firmware", {
  AIOT_ADMIN_PASSWORD: password,
  AIOT_SECRET_KEY: bytesToBase64(key),
});
try {
  const plainBase = JSON.parse(await firstLine(plain)).base as string;
  const minimalInfo = JSON.parse(await firstLine(minimal)) as { base: string; token: string };
  await aio.start();
  const login = await fetch(`${aio.base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password }),
  });
  const aioToken = (await login.json()).token as string;

  const publish = async (base: string, token: string) => {
    const response = await fetch(`${base}/api/v1/firmware?name=bench&version=1`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: pattern(IMAGE_BYTES),
    });
    if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
    const id = (await response.json()).id as string;
    const urlFor = createDownloadUrlFor({ signer, publicUrl: base });
    return (i: number) => urlFor({ firmwareId: id, jobId: `job-${i}`, deviceId: `dev-${i}` });
  };
  const targets = {
    "plain Deno.serve": (_i: number) => Promise.resolve(`${plainBase}/`),
    "AIOT route (minimal process)": await publish(minimalInfo.base, minimalInfo.token),
    "AIOT all-in-one (embedded)": await publish(aio.base, aioToken),
  };
  const results: Record<string, number[]> = {};
  for (const name of Object.keys(targets)) await throughput(targets[name as keyof typeof targets]); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of Object.entries(targets)) {
      (results[name] ??= []).push(await throughput(url));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(results["plain Deno.serve"]!);
  console.log(`| server | MB/s (median of ${ROUNDS}) | rounds | ratio to plain |`);
  console.log("|---|---|---|---|");
  for (const [name, xs] of Object.entries(results)) {
    console.log(
      `| ${name} | ${median(xs).toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(", ")} | ${
        (median(xs) / base).toFixed(2)
      } |`,
    );
  }
} finally {
  plain.kill("SIGKILL");
  minimal.kill("SIGKILL");
  await Promise.all([plain.status, minimal.status]);
  await Promise.all([plain.stdout.cancel().catch(() => {}), minimal.stdout.cancel().catch(() => {})]);
  await aio.stop();
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(aio.dataDir, { recursive: true }).catch(() => {});
}
