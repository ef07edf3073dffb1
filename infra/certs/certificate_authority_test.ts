/** The CA tooling end to end: certificates it writes are the ones the all-in-one's MQTTS accepts. */
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { registerDevice } from "../../core/devices/registry.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import { startPlatform } from "../all_in_one/platform.ts";
import { generateToken, hashSecret } from "../auth/secrets.ts";
import { loadConfig } from "../config/config.ts";
import { createCertificateAuthority, issueDeviceCertificate, issueServerCertificate } from "./mod.ts";
import { getDevice } from "../../core/readmodels/mod.ts";

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aiot-certs-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("createCertificateAuthority() writes a private ca.key and refuses to replace it without force", () =>
  withTempDir(async (dir) => {
    const files = await createCertificateAuthority(`${dir}/certs`);
    assert.deepEqual(files, [`${dir}/certs/ca.key`, `${dir}/certs/ca.crt`]);
    assert.equal((await Deno.stat(`${dir}/certs/ca.key`)).mode! & 0o777, 0o600);
    const before = await Deno.readTextFile(`${dir}/certs/ca.crt`);
    await assert.rejects(createCertificateAuthority(`${dir}/certs`), /ca\.key or ca\.crt exists.*--force/);
    assert.equal(await Deno.readTextFile(`${dir}/certs/ca.crt`), before);
    await createCertificateAuthority(`${dir}/certs`, { force: true });
    assert.notEqual(await Deno.readTextFile(`${dir}/certs/ca.crt`), before);
  }));

Deno.test("issueDeviceCertificate() needs a CA and a valid device id", () =>
  withTempDir(async (dir) => {
    await assert.rejects(issueDeviceCertificate(dir, "dev-1"), /no CA in .*certs init/);
    await createCertificateAuthority(dir);
    await assert.rejects(issueDeviceCertificate(dir, "dev/1"), TypeError);
    await assert.rejects(issueServerCertificate(dir, { hosts: ["bad host"] }), TypeError);
    await assert.rejects(issueServerCertificate(dir, { ips: ["300.1.1.1"] }), TypeError);
  }));

Deno.test("a missing openssl binary is reported as such", () =>
  withTempDir(async (dir) => {
    await assert.rejects(
      createCertificateAuthority(dir, { openssl: "openssl-that-does-not-exist" }),
      /openssl is not installed/,
    );
  }));

Deno.test({
  name: "the all-in-one accepts a device certificate from `certs` over MQTTS and refuses another CA's",
  fn: () =>
    withTempDir(async (dataDir) => {
      const certs = `${dataDir}/certs`;
      await createCertificateAuthority(certs);
      await issueServerCertificate(certs);
      const [deviceKey, deviceCert] = await issueDeviceCertificate(certs, "dev-tls");
      await createCertificateAuthority(`${dataDir}/foreign`);
      const [foreignKey, foreignCert] = await issueDeviceCertificate(`${dataDir}/foreign`, "dev-tls");

      const platform = await startPlatform(loadConfig({
        AIOT_DATA_DIR: dataDir,
        AIOT_MQTT_PORT: "0",
        AIOT_MQTTS_PORT: "0",
        AIOT_MQTT_HOST: "127.0.0.1",
      }));
      try {
        await registerDevice(
          {
            findDevice: (id) => getDevice(platform.readModels, id),
            appendDeviceEvents: (events) =>
              platform.log.append(platform.topics.device, events.map(toLogMessage)),
            generateToken,
            hashSecret: (token) => hashSecret(token),
            newDeviceId: () => "unused",
          },
          { id: "dev-tls" },
          "test",
        );
        for (let i = 0; !(await getDevice(platform.readModels, "dev-tls")); i++) {
          assert.ok(i < 100, "device projected within 5 s");
          await new Promise((r) => setTimeout(r, 50));
        }
        const url = `mqtts://127.0.0.1:${platform.broker!.tlsPort}`;
        const tls = (key: string, cert: string) => ({
          clientId: "dev-tls",
          ca: Deno.readTextFileSync(`${certs}/ca.crt`),
          key: Deno.readTextFileSync(key),
          cert: Deno.readTextFileSync(cert),
          rejectUnauthorized: true,
          servername: "localhost",
          reconnectPeriod: 0,
          connectTimeout: 5000,
        });

        const device = await mqtt.connectAsync(url, tls(deviceKey!, deviceCert!));
        await device.publishAsync("devices/dev-tls/telemetry", '{"temperature": 20.5}', { qos: 1 });
        await device.endAsync();
        for (let i = 0; (await platform.timeseries.latest("dev-tls")).length === 0; i++) {
          assert.ok(i < 100, "telemetry stored within 5 s");
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.deepEqual((await platform.timeseries.latest("dev-tls")).map((v) => v.value), [20.5]);

        await assert.rejects(mqtt.connectAsync(url, tls(foreignKey!, foreignCert!)));

        // An independent client with the printed recipe.
        const pub = await new Deno.Command("mosquitto_pub", {
          args: [
            ...["-h", "localhost", "-p", String(platform.broker!.tlsPort), "--cafile", `${certs}/ca.crt`],
            ...["--cert", deviceCert!, "--key", deviceKey!, "-i", "dev-tls-cli", "-q", "1"],
            ...["-t", "devices/dev-tls/telemetry", "-m", '{"humidity": 41}'],
          ],
          stdout: "null",
          stderr: "piped",
        }).output().catch(() => undefined);
        if (pub) assert.equal(pub.code, 0, new TextDecoder().decode(pub.stderr));
      } finally {
        await platform.stop();
      }
    }),
});
