/**
 * `deno task aiot certs …`: the CA tooling as a CLI. Files go to `${AIOT_DATA_DIR}/certs/` (where
 * the all-in-one looks for them) unless `--out` names another folder; each command says what it
 * wrote and how to use it.
 */
import {
  createCertificateAuthority,
  issueDeviceCertificate,
  issueServerCertificate,
} from "./certificate_authority.ts";

export const CERTS_USAGE = `       deno task aiot certs init [--force] [--days n] [--out dir]
       deno task aiot certs server [--host name …] [--ip addr …] [--days n] [--out dir]
       deno task aiot certs device <id> [--days n] [--out dir]`;

export interface CertsCommandDeps {
  /** The data directory: certificates go to `${dataDir}/certs` by default. */
  dataDir: string;
  fail(message: string): never;
  out?: (line: string) => void;
  /** The openssl binary. Default `openssl` on the PATH. */
  openssl?: string;
}

interface CertsArgs {
  positional: string[];
  hosts: string[];
  ips: string[];
  out?: string;
  days?: number;
  force: boolean;
}

function parseArgs(args: string[], fail: (message: string) => never): CertsArgs {
  const parsed: CertsArgs = { positional: [], hosts: [], ips: [], force: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--force") {
      parsed.force = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      parsed.positional.push(arg);
      continue;
    }
    const value = args[++i];
    if (value === undefined) fail(`${arg} needs a value`);
    if (arg === "--host") parsed.hosts.push(value);
    else if (arg === "--ip") parsed.ips.push(value);
    else if (arg === "--out") parsed.out = value;
    else if (arg === "--days") {
      const days = Number(value);
      if (!Number.isInteger(days) || days < 1) fail(`--days expects a positive whole number, got "${value}"`);
      parsed.days = days;
    } else fail(`certs: unknown option ${arg}`);
  }
  return parsed;
}

/** Runs one `certs` action; errors of the CA tooling reach `fail` with their message. */
export async function runCertsCommand(args: string[], deps: CertsCommandDeps): Promise<void> {
  const out = deps.out ?? ((line: string) => console.log(line));
  const [action, ...rest] = args;
  const options = parseArgs(rest, deps.fail);
  const dir = options.out ?? `${deps.dataDir}/certs`;
  const common = {
    ...(options.days === undefined ? {} : { days: options.days }),
    ...(deps.openssl === undefined ? {} : { openssl: deps.openssl }),
  };
  const wrote = (files: string[]) => files.forEach((file) => out(`wrote ${file}`));
  try {
    if (action === "init") {
      wrote(await createCertificateAuthority(dir, { ...common, force: options.force }));
      out(`keep ${dir}/ca.key secret: whoever holds it can mint device identities`);
      out(`next: deno task aiot certs server [--host name] [--ip addr], then certs device <id>`);
    } else if (action === "server") {
      const { files, hosts, ips } = await issueServerCertificate(dir, {
        ...common,
        hosts: options.hosts,
        ips: options.ips,
      });
      wrote(files);
      out(`valid for ${[...hosts, ...ips].join(", ")}`);
      out(
        `the all-in-one serves MQTTS (AIOT_MQTTS_PORT, default 8883) when ${dir}/{server.key,server.crt,ca.crt} ` +
          `exist: restart "deno task start"` +
          (options.out ? ` with AIOT_DATA_DIR pointing to the parent of ${dir}` : ""),
      );
    } else if (action === "device") {
      const id = options.positional[0] ?? deps.fail("certs device: which device id?");
      const [key, cert] = await issueDeviceCertificate(dir, id, common);
      wrote([key!, cert!]);
      out(
        `the device must be registered (deno task aiot devices create --id ${id}); its certificate is then`,
      );
      out("its identity, no token needed:");
      out(
        `  mosquitto_pub -h localhost -p 8883 --cafile ${dir}/ca.crt --cert ${cert} --key ${key} ` +
          `-i ${id} -q 1 -t devices/${id}/telemetry -m '{"temperature": 21.5}'`,
      );
    } else {
      deps.fail(action ? `certs: unknown action "${action}"` : "certs: init, server or device?");
    }
  } catch (error) {
    deps.fail(error instanceof Error ? error.message : String(error));
  }
}
