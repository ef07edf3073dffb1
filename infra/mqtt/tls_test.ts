/** MQTTS: token auth over TLS and device certificates (CN = device id) signed by the AIOT CA. */
import assert from "node:assert/strict";
import {
  connect,
  endClient,
  eventsIn,
  eventually,
  type Gateway,
  startGateway,
  TOKEN,
  topics,
} from "./_test_support.ts";
import type { EmbeddedBrokerOptions } from "./embedded_broker.ts";
import { within } from "./_raw_mqtt.ts";

async function openssl(dir: string, ...args: string[]): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        'openssl is missing: the TLS tests generate their certificates with it ("apt-get install -y openssl")',
      );
    }
    throw error;
  }
  if (!output.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
}

/** A throw-away CA, a server certificate for 127.0.0.1 and device certificates. */
async function makeCertificates(dir: string) {
  const ca = async (name: string) =>
    await openssl(
      dir,
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
    );
  const leaf = async (name: string, cn: string, signer: string, extensions: string) => {
    await Deno.writeTextFile(`${dir}/${name}.ext`, extensions);
    await openssl(
      dir,
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${cn}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
    );
    // v3 extensions matter: a v1 certificate is refused by the TLS stack as a client certificate.
    await openssl(
      dir,
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${signer}.crt`,
      "-CAkey",
      `${signer}.key`,
      "-CAcreateserial",
      "-days",
      "1",
      "-out",
      `${name}.crt`,
      "-extfile",
      `${name}.ext`,
    );
  };
  const client =
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n";
  await ca("ca");
  await ca("foreign-ca");
  await leaf(
    "server",
    "localhost",
    "ca",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  await leaf("device", "dev-cert", "ca", client);
  await leaf("intruder", "dev-cert", "foreign-ca", client);
  const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
  return {
    ca: await read("ca.crt"),
    server: { key: await read("server.key"), cert: await read("server.crt") },
    device: { key: await read("device.key"), cert: await read("device.crt") },
    intruder: { key: await read("intruder.key"), cert: await read("intruder.crt") },
  };
}

async function withTlsGateway(
  run: (gateway: Gateway, certs: Awaited<ReturnType<typeof makeCertificates>>) => Promise<void>,
  limits: EmbeddedBrokerOptions["limits"] = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "aiot-tls-" });
  try {
    const certs = await makeCertificates(dir);
    const gateway = await startGateway({
      mqttPort: null,
      tls: { port: 0, ...certs.server, ca: certs.ca },
      limits,
    });
    try {
      await run(gateway, certs);
    } finally {
      await gateway.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const url = (gateway: Gateway) => `mqtts://127.0.0.1:${gateway.broker.tlsPort}`;

Deno.test("a device certificate signed by the CA authenticates as its CN", () =>
  withTlsGateway(async (gateway, certs) => {
    const client = await connect(url(gateway), { clientId: "dev-cert", ca: certs.ca, ...certs.device });
    await client.publishAsync("devices/dev-cert/telemetry", '{"v":1}', { qos: 1 });
    const [event] = await eventsIn(gateway.log, topics.telemetry);
    assert.equal(event?.key, "dev-cert");
    await endClient(client);
    await eventually(
      async () => (await eventsIn(gateway.log, topics.device)).length === 2,
      "lifecycle events",
    );
    const [connected] = await eventsIn(gateway.log, topics.device);
    assert.equal(connected?.type, "device.connected");
    assert.equal((connected?.data as { protocol: string }).protocol, "mqtts");
    assert.equal((connected?.data as { certificate: boolean }).certificate, true);
  }));

Deno.test("a certificate from an unknown CA is refused; a username other than the CN is refused", () =>
  withTlsGateway(async (gateway, certs) => {
    await assert.rejects(
      connect(url(gateway), { clientId: "dev-cert", ca: certs.ca, ...certs.intruder }),
      // An untrusted certificate counts as none: without a token that is "bad credentials".
      (error: { code?: number }) => error.code === 4,
    );
    await assert.rejects(
      connect(url(gateway), { clientId: "x", username: "dev-1", ca: certs.ca, ...certs.device }),
      (error: { code?: number }) => error.code === 5,
    );
    assert.deepEqual(await eventsIn(gateway.log, topics.device), []);
  }));

Deno.test("a token still works over TLS without a client certificate", () =>
  withTlsGateway(async (gateway, certs) => {
    const client = await connect(url(gateway), {
      clientId: "dev-1",
      username: "dev-1",
      password: TOKEN,
      ca: certs.ca,
    });
    await client.publishAsync("devices/dev-1/telemetry", '{"v":2}', { qos: 1 });
    assert.equal((await eventsIn(gateway.log, topics.telemetry))[0]?.key, "dev-1");
    await endClient(client);
  }));

Deno.test("over TLS, the connection over the per-address cap is refused before its handshake", () =>
  withTlsGateway(async (gateway, certs) => {
    const client = await connect(url(gateway), { clientId: "dev-cert", ca: certs.ca, ...certs.device });
    // Refused on the raw TCP connection: the server closes it without a TLS handshake.
    const raw = await Deno.connect({ hostname: "127.0.0.1", port: gateway.broker.tlsPort! });
    try {
      const read = await within(raw.read(new Uint8Array(1)).catch(() => null), 20_000, "the server to close");
      assert.equal(read, null, "closed without a byte of handshake");
    } finally {
      raw.close();
    }
    await endClient(client);
  }, { maxConnectionsPerAddress: 1 }));
