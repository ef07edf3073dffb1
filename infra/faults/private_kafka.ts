/**
 * A Kafka broker of the fault suite's own, reachable only through a TCP proxy the suite can cut.
 *
 * The shared test broker advertises its own address, so a client given a proxy in front of it
 * bootstraps through the proxy and then talks to the broker directly: cutting the proxy would cut
 * nothing. This broker listens on a private port and *advertises the proxy's port*, so every
 * connection of every client (bootstrap, produce, fetch, group coordination) goes through the
 * proxy, and a cut is a real outage for all of them while the shared engines stay untouched. It
 * runs from the jars `infra/local/engines.sh install` cached (Kafka 4.1.1, KRaft, one node) and
 * its files live in a temp dir that `stop()` removes.
 */
import { Kafka, logLevel } from "kafkajs";
import { freePort } from "../dev/free_port.ts";
import { startTcpProxy, type TcpProxy } from "../dev/tcp_proxy.ts";

const CACHE = Deno.env.get("AIOT_CACHE_DIR") ?? `${Deno.env.get("HOME")}/.cache/aiot`;
const KAFKA_LIB = `${CACHE}/kafka-4.1.1/lib`;

export interface PrivateKafka {
  /** `127.0.0.1:<proxy port>`: what clients are given. */
  brokers: string;
  proxy: TcpProxy;
  stop(): Promise<void>;
}

async function javaPath(): Promise<string> {
  for (
    const candidate of [
      Deno.env.get("AIOT_JAVA"),
      "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
      "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java",
    ]
  ) {
    if (candidate && await Deno.stat(candidate).then(() => true, () => false)) return candidate;
  }
  return "java";
}

/** Resolves once a metadata request through the proxy succeeds (kafkajs' connect alone proves nothing). */
async function metadataAnswered(brokers: string): Promise<boolean> {
  const admin = new Kafka({
    brokers: [brokers],
    clientId: "aiot-faults-probe",
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2_000,
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export async function startPrivateKafka(options: { readyTimeoutMs?: number } = {}): Promise<PrivateKafka> {
  if (!await Deno.stat(KAFKA_LIB).then(() => true, () => false)) {
    throw new Error(`${KAFKA_LIB} is missing: run "bash infra/local/engines.sh install kafka" first`);
  }
  const dir = await Deno.makeTempDir({ prefix: "aiot-faults-kafka-" });
  const port = freePort();
  const controller = freePort();
  const proxy = startTcpProxy({ hostname: "127.0.0.1", port });
  const properties = [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
    // The proxy's port: every client connection, not only the bootstrap, goes through it.
    `advertised.listeners=PLAINTEXT://127.0.0.1:${proxy.port}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${dir}/data`,
    "num.partitions=4",
    "default.replication.factor=1",
    "offsets.topic.replication.factor=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=false",
    "message.max.bytes=16777216",
    "replica.fetch.max.bytes=16777216",
    "",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/server.properties`, properties);
  await Deno.writeTextFile(
    `${dir}/log4j2.properties`,
    "status = warn\nappender.out.type = Console\nappender.out.name = OUT\n" +
      "appender.out.layout.type = PatternLayout\nappender.out.layout.pattern = [%d] %p %m (%c)%n\n" +
      "rootLogger.level = WARN\nrootLogger.appenderRef.out.ref = OUT\n",
  );
  const java = await javaPath();
  const jvm = [
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${dir}/log4j2.properties`,
    "-cp",
    `${KAFKA_LIB}/*`,
  ];
  const format = await new Deno.Command(java, {
    args: [
      ...jvm,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      "aiotFaultsKafkaCluster0",
      "-c",
      `${dir}/server.properties`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (format.code !== 0) {
    proxy.close();
    throw new Error(`Kafka storage format failed: ${new TextDecoder().decode(format.stderr)}`);
  }
  const child = new Deno.Command(java, {
    args: [...jvm, "kafka.Kafka", `${dir}/server.properties`],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (chunk) => void (output = (output + chunk).slice(-4000)) }),
    ).catch(() => {});
  }
  let exited = false;
  child.status.then(() => (exited = true));
  const stop = async () => {
    proxy.close();
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  const brokers = `127.0.0.1:${proxy.port}`;
  while (!(await metadataAnswered(brokers))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`the private Kafka did not become ready; it said:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { brokers, proxy, stop };
}
