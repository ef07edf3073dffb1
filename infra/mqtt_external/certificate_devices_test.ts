/**
 * Certificate devices in external broker mode: a real Mosquitto running the shipped config with
 * its certificate listener (`require_certificate`, `use_identity_as_username`), certificates made
 * by `infra/certs`, mosquitto_pub as the device and the external gateway appending to a SQLite log.
 */
import assert from "node:assert/strict";
import { eventsIn, eventually, fakeIngest, topics } from "../mqtt/_test_support.ts";
import { createCertificateAuthority, issueDeviceCertificate } from "../certs/mod.ts";
import { createSqliteEventLog } from "../sqlite/sqlite_event_log.ts";
import { ADMIN, run, startMosquitto } from "./_mosquitto.ts";
import { connectDynsecProvisioner } from "./dynsec_provisioner.ts";
import { createExternalBrokerGateway } from "./external_gateway.ts";

const INGEST = { username: "aiot-ingest", password: "ingest-secret-1" };

Deno.test("a device certificate publishes only on its own topic, only while provisioned, and only from AIOT's CA", async () => {
  const broker = await startMosquitto({ tls: true });
  const { port, certsDir } = broker.tls!;
  const provisioner = await connectDynsecProvisioner(broker.url, ADMIN);
  const log = createSqliteEventLog({ path: `${broker.dir}/log.db` });
  try {
    await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 4 })));
    await provisioner.ensureRoles({ ingest: INGEST });
    await provisioner.provisionDevice("meter-1"); // certificate only: no password
    await provisioner.provisionDevice("meter-2", "meter-2-token");
    const gateway = await createExternalBrokerGateway({
      url: broker.url,
      log,
      topicPrefix: "aiot.",
      ingest: fakeIngest,
      clientId: "ingest-a",
      ...INGEST,
      onError: () => {},
    });
    try {
      const [key, cert] = await issueDeviceCertificate(certsDir, "meter-1");
      const [unknownKey, unknownCert] = await issueDeviceCertificate(certsDir, "meter-9");
      await createCertificateAuthority(`${broker.dir}/foreign`);
      const [foreignKey, foreignCert] = await issueDeviceCertificate(`${broker.dir}/foreign`, "meter-1");
      const pub = (files: { key: string; cert: string }, topic: string, message: string) =>
        run("mosquitto_pub", [
          ...["-h", "localhost", "-p", String(port), "--cafile", `${certsDir}/ca.crt`],
          ...["--cert", files.cert, "--key", files.key, "-V", "mqttv5", "-q", "1"],
          ...["-i", "meter-1", "-t", topic, "-m", message],
        ]);
      const mine = { key: key!, cert: cert! };
      const valueOf = (data: unknown) => (data as { values: { value: number }[] }).values[0]?.value;
      // Sorted: the two devices' events sit in different partitions.
      const telemetry = async () =>
        (await eventsIn(log, topics.telemetry)).map((e) => `${e.key}=${valueOf(e.data)}`).sort();

      const ok = await pub(mine, "devices/meter-1/telemetry", '{"kwh": 1}');
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stderr, "");
      await eventually(async () => (await telemetry()).length === 1, "the certificate device's uplink");
      assert.deepEqual(await telemetry(), ["meter-1=1"]);

      // Another device's topic: Mosquitto's ACL refuses it (MQTT 5 PUBACK "Not authorized").
      const elsewhere = await pub(mine, "devices/meter-2/telemetry", '{"kwh": 666}');
      assert.match(elsewhere.stderr, /Not authorized/);
      // A certificate of AIOT's CA for an id with no broker account: nothing it may publish.
      const unknown = await pub({ key: unknownKey!, cert: unknownCert! }, "devices/meter-9/telemetry", "{}");
      assert.match(unknown.stderr, /Not authorized/);
      // Another CA's certificate, even with a provisioned CN: the TLS handshake fails.
      const foreign = await pub({ key: foreignKey!, cert: foreignCert! }, "devices/meter-1/telemetry", "{}");
      assert.notEqual(foreign.code, 0);

      // Decommissioned: the certificate still passes TLS, but the account has no role left.
      await provisioner.disableDevice("meter-1");
      const disabled = await pub(mine, "devices/meter-1/telemetry", '{"kwh": 2}');
      assert.match(disabled.stderr, /Not authorized/);

      // A last accepted uplink (meter-2 by token) is the sync point: nothing refused got through.
      const sync = await run("mosquitto_pub", [
        ...["-h", "127.0.0.1", "-p", String(broker.port), "-V", "mqttv5", "-q", "1", "-i", "meter-2"],
        ...["-u", "meter-2", "-P", "meter-2-token", "-t", "devices/meter-2/telemetry", "-m", '{"kwh": 3}'],
      ]);
      assert.equal(sync.code, 0, sync.stderr);
      await eventually(async () => (await telemetry()).length === 2, "the token device's uplink");
      assert.deepEqual(await telemetry(), ["meter-1=1", "meter-2=3"]);
    } finally {
      await gateway.close();
    }
  } finally {
    await log.close();
    await provisioner.close();
    await broker.stop();
  }
});
