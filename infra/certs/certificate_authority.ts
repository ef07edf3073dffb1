/**
 * The AIOT certificate authority on disk: a CA, the broker's server certificate and device client
 * certificates (CN = device id), as PEM files in one folder laid out the way the all-in-one reads
 * them (`ca.crt`, `server.key`, `server.crt`; `devices/{id}.key|crt` for the devices).
 *
 * Every certificate is X.509 v3 with explicit extensions: TLS stacks refuse v1 client
 * certificates, and a server certificate without subjectAltName fails hostname checks.
 */
import { isIP } from "node:net";
import { generatePrivateKey, openssl, randomSerial } from "./openssl.ts";

export interface IssueOptions {
  /** Validity in days. Defaults: CA 3650, server 825, device 1825. */
  days?: number;
  /** The openssl binary. Default `openssl` on the PATH. */
  openssl?: string;
}

export interface ServerOptions extends IssueOptions {
  /** DNS names; with `ips`, they replace the default `localhost` + this machine's hostname. */
  hosts?: string[];
  /** IP addresses; with `hosts`, they replace the default `127.0.0.1`. */
  ips?: string[];
}

const DEVICE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const HOST_NAME = /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Writes a private key readable by its owner only, also when replacing an older file. */
async function writePrivateKey(path: string, pem: string): Promise<void> {
  await Deno.writeTextFile(path, pem, { mode: 0o600 });
  if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
}

function requestConfig(commonName: string, extensions: string[]): string {
  return [
    "[req]",
    "distinguished_name = dn",
    "prompt = no",
    "[dn]",
    `CN = ${commonName}`,
    "[ext]",
    ...extensions,
    "",
  ].join("\n");
}

/**
 * Creates `ca.key` (mode 0600) and `ca.crt` in `dir`. Throws an `Error` when either exists, unless
 * `force`: replacing the CA invalidates every certificate it signed.
 */
export async function createCertificateAuthority(
  dir: string,
  options: IssueOptions & { force?: boolean; commonName?: string } = {},
): Promise<string[]> {
  const keyPath = `${dir}/ca.key`;
  const certPath = `${dir}/ca.crt`;
  if (!options.force && ((await exists(keyPath)) || (await exists(certPath)))) {
    throw new Error(
      `Cannot create a CA in ${dir}: ca.key or ca.crt exists. Replacing it invalidates every certificate ` +
        `it signed; pass --force to do so anyway`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  const bin = options.openssl === undefined ? {} : { binary: options.openssl };
  const work = await Deno.makeTempDir({ prefix: "aiot-ca-" });
  try {
    await writePrivateKey(`${work}/ca.key`, await generatePrivateKey(bin));
    await Deno.writeTextFile(
      `${work}/ca.cnf`,
      requestConfig(options.commonName ?? `AIOT CA ${new Date().toISOString().slice(0, 10)}`, [
        "basicConstraints = critical, CA:TRUE, pathlen:0",
        "keyUsage = critical, keyCertSign, cRLSign",
        "subjectKeyIdentifier = hash",
      ]),
    );
    await openssl([
      "req",
      "-x509",
      "-new",
      "-config",
      `${work}/ca.cnf`,
      "-extensions",
      "ext",
      "-key",
      `${work}/ca.key`,
      "-sha256",
      "-set_serial",
      randomSerial(),
      "-days",
      String(options.days ?? 3650),
      "-out",
      `${work}/ca.crt`,
    ], bin);
    await writePrivateKey(keyPath, await Deno.readTextFile(`${work}/ca.key`));
    await Deno.copyFile(`${work}/ca.crt`, certPath);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  return [keyPath, certPath];
}

/** Signs a fresh key for `commonName` with the CA in `dir`; writes the pair only when all went well. */
async function issueLeaf(
  dir: string,
  target: { keyPath: string; certPath: string; commonName: string; extensions: string[]; days: number },
  options: IssueOptions,
): Promise<string[]> {
  if (!(await exists(`${dir}/ca.key`)) || !(await exists(`${dir}/ca.crt`))) {
    throw new Error(`Cannot sign a certificate: no CA in ${dir} (run "deno task aiot certs init" first)`);
  }
  const bin = options.openssl === undefined ? {} : { binary: options.openssl };
  const work = await Deno.makeTempDir({ prefix: "aiot-cert-" });
  try {
    await writePrivateKey(`${work}/leaf.key`, await generatePrivateKey(bin));
    await Deno.writeTextFile(`${work}/leaf.cnf`, requestConfig(target.commonName, target.extensions));
    await openssl(
      ["req", "-new", "-config", `${work}/leaf.cnf`, "-key", `${work}/leaf.key`, "-out", `${work}/leaf.csr`],
      bin,
    );
    await openssl([
      "x509",
      "-req",
      "-in",
      `${work}/leaf.csr`,
      "-CA",
      `${dir}/ca.crt`,
      "-CAkey",
      `${dir}/ca.key`,
      "-set_serial",
      randomSerial(),
      "-sha256",
      "-days",
      String(options.days ?? target.days),
      "-extfile",
      `${work}/leaf.cnf`,
      "-extensions",
      "ext",
      "-out",
      `${work}/leaf.crt`,
    ], bin);
    await writePrivateKey(target.keyPath, await Deno.readTextFile(`${work}/leaf.key`));
    await Deno.copyFile(`${work}/leaf.crt`, target.certPath);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  return [target.keyPath, target.certPath];
}

/** The default server names: `localhost`, `127.0.0.1` and this machine's hostname. */
export function defaultServerNames(): { hosts: string[]; ips: string[] } {
  let hostname = "";
  try {
    hostname = Deno.hostname();
  } catch {
    // Without --allow-sys the hostname is simply left out.
  }
  const hosts = [
    "localhost",
    ...(hostname && hostname !== "localhost" && HOST_NAME.test(hostname) ? [hostname] : []),
  ];
  return { hosts, ips: ["127.0.0.1"] };
}

/**
 * Issues `server.key` + `server.crt` for the broker, with every host and IP as subjectAltName.
 * Throws a `TypeError` for a malformed host name or IP address.
 */
export async function issueServerCertificate(
  dir: string,
  options: ServerOptions = {},
): Promise<{ files: string[]; hosts: string[]; ips: string[] }> {
  const given = (options.hosts?.length ?? 0) + (options.ips?.length ?? 0) > 0;
  const { hosts, ips } = given
    ? { hosts: options.hosts ?? [], ips: options.ips ?? [] }
    : defaultServerNames();
  for (const host of hosts) {
    if (!HOST_NAME.test(host) || host.length > 253) throw new TypeError(`Invalid host name "${host}"`);
  }
  for (const ip of ips) if (isIP(ip) === 0) throw new TypeError(`Invalid IP address "${ip}"`);
  const names = [...hosts.map((h) => `DNS:${h}`), ...ips.map((ip) => `IP:${ip}`)];
  const files = await issueLeaf(dir, {
    keyPath: `${dir}/server.key`,
    certPath: `${dir}/server.crt`,
    commonName: hosts[0] ?? ips[0]!,
    extensions: [
      "basicConstraints = critical, CA:FALSE",
      "keyUsage = critical, digitalSignature, keyEncipherment",
      "extendedKeyUsage = serverAuth",
      `subjectAltName = ${names.join(", ")}`,
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid",
    ],
    days: 825,
  }, options);
  return { files, hosts, ips };
}

/**
 * Issues `devices/{id}.key` + `devices/{id}.crt`: a client certificate whose CN is the device id.
 * Throws a `TypeError` when `deviceId` is not a valid device id.
 */
export async function issueDeviceCertificate(
  dir: string,
  deviceId: string,
  options: IssueOptions = {},
): Promise<string[]> {
  if (!DEVICE_ID.test(deviceId)) {
    throw new TypeError(`Invalid device id "${deviceId}": expected 1-128 characters of A-Z a-z 0-9 _ . : -`);
  }
  await Deno.mkdir(`${dir}/devices`, { recursive: true });
  return await issueLeaf(dir, {
    keyPath: `${dir}/devices/${deviceId}.key`,
    certPath: `${dir}/devices/${deviceId}.crt`,
    commonName: deviceId,
    extensions: [
      "basicConstraints = critical, CA:FALSE",
      "keyUsage = critical, digitalSignature, keyEncipherment",
      "extendedKeyUsage = clientAuth",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid",
    ],
    days: 1825,
  }, options);
}
