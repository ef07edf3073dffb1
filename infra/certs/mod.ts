/**
 * @module
 * The AIOT certificate authority (replaces the old `generate-CA.sh`): a CA, the broker's server
 * certificate with its host names and IPs, and device client certificates whose CN is the device
 * id, written as PEM with the `openssl` binary. The all-in-one serves MQTTS when
 * `${AIOT_DATA_DIR}/certs/{server.key,server.crt,ca.crt}` exist.
 *
 * ```ts ignore
 * await createCertificateAuthority("data/certs");
 * await issueServerCertificate("data/certs", { hosts: ["broker.example.com"], ips: ["10.0.0.5"] });
 * await issueDeviceCertificate("data/certs", "dev-1"); // data/certs/devices/dev-1.{key,crt}
 * ```
 */
export {
  createCertificateAuthority,
  defaultServerNames,
  issueDeviceCertificate,
  type IssueOptions,
  issueServerCertificate,
  type ServerOptions,
} from "./certificate_authority.ts";
export { CERTS_USAGE, type CertsCommandDeps, runCertsCommand } from "./certs_command.ts";
