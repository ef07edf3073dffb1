/**
 * Device authentication for the gateway (design §6): a token (MQTT username = device id,
 * password = token) checked against the stored scrypt hash, or a TLS client certificate whose CN
 * is the device id. Successful token checks are remembered per device (`verified_tokens.ts`) so a
 * reconnect storm costs one hash lookup per connection instead of one scrypt each; each is tied to
 * the stored hash it matched, so a rotated token stops matching once the directory shows the new
 * hash. Tokens are never logged or kept: only a SHA-256 digest is.
 *
 * The directory (the registry read model) lags behind the log and can be down:
 * - revocations it does not show yet (`forgetDevice` with one, from gateway-control or the
 *   registry in this process) are laid over its answers (`pending_revocations.ts`), so a device
 *   revoked a moment ago cannot reconnect with its old token;
 * - when it fails with a retriable error (its database is down), a token verified within
 *   `outageGraceMs` is admitted again and every other attempt gets code 3 (server unavailable: try
 *   later), never 4, which would tell a device its token is wrong. Trusting recent knowledge is
 *   safe because no revocation can be made meanwhile: the registry needs the same read model.
 *
 * Guessing is bounded: failed token checks are counted per device id and per client address
 * (`failed_login_throttle.ts`); past the limit further tries are refused with code 3 (server
 * unavailable: devices retry later) without a scrypt run, except a token remembered as verified,
 * so an attacker hammering a device's id does not lock out the device itself. An unknown id (or a
 * device without a token) is checked against a dummy hash, so it costs what a wrong token costs
 * and its answer time does not tell which ids exist.
 */
import { createHash } from "node:crypto";
import { generateToken, hashSecret, verifySecret } from "../auth/secrets.ts";
import { DEVICE_ID_PATTERN } from "./device_acl.ts";
import type { DeviceDirectory, DirectoryDevice } from "./device_directory.ts";
import { isRetriable } from "../../core/errors.ts";
import type { Revocation } from "../../core/gateway/revocation.ts";
import { createPendingRevocations } from "./pending_revocations.ts";
import { createVerifiedTokens } from "./verified_tokens.ts";
import { createFailedLoginThrottle, type FailedLoginThrottleOptions } from "./failed_login_throttle.ts";
import { clientHostKey } from "../../core/client_host.ts";

/** MQTT 3.1.1 CONNACK codes used for refusals. */
export const CONNACK = { serverUnavailable: 3, badCredentials: 4, notAuthorized: 5 } as const;

export type AuthOutcome =
  | { ok: true; deviceId: string; method: "token" | "certificate" }
  | { ok: false; returnCode: 3 | 4 | 5; reason: string };

export interface DeviceAuthenticator {
  /**
   * Checks `token` for device `deviceId` (the MQTT username). `from` is the client's address as
   * the transport reports it (`host:port`), for the per-address throttle; without it only the
   * per-id one applies.
   */
  withToken(deviceId: string | undefined, token: Uint8Array | undefined, from?: string): Promise<AuthOutcome>;
  /** Admits the CN of a CA-verified certificate; a username, if given, must equal the CN. */
  withCertificate(commonName: string, username: string | undefined): Promise<AuthOutcome>;
  /**
   * Drops remembered verifications of a device (on token rotation or decommissioning); with
   * `revocation`, also refuses what it revoked until the directory shows it.
   */
  forgetDevice(deviceId: string, revocation?: Revocation): void;
}

export interface DeviceAuthenticatorOptions {
  /** Default: scrypt `verifySecret`. */
  verify?: (token: string, stored: { algorithm: string; hash: string }) => Promise<boolean>;
  /** Devices whose verified tokens are remembered, least recently used dropped first. Default 10,000. */
  maxCachedDevices?: number;
  /** Failed logins per device id before throttling. Default 10 a minute, 10,000 ids tracked. */
  failedLoginsPerDevice?: Omit<FailedLoginThrottleOptions, "now">;
  /** Failed logins per client address before throttling. Default 30 a minute, 10,000 addresses. */
  failedLoginsPerAddress?: Omit<FailedLoginThrottleOptions, "now">;
  /**
   * What unknown ids are checked against. Default: the hash of a random token at the default
   * scrypt cost (made on first use), so it costs what checking a real device's token costs.
   */
  unknownDeviceCredential?: { algorithm: string; hash: string };
  /**
   * How long a verified token is trusted again while the directory is down (fails retriably),
   * counted from the last time the directory confirmed it. Default 1 hour.
   */
  outageGraceMs?: number;
  /** How long a revocation is held when the directory never shows it. Default 1 hour. */
  maxPendingRevocationMs?: number;
  /** Epoch ms, for the throttles and the expiries. Default `Date.now`. */
  now?: () => number;
}

/** Longer passwords are refused without hashing them (tokens are 43 characters). */
const MAX_TOKEN_BYTES = 1024;

const refused = (returnCode: 3 | 4 | 5, reason: string): AuthOutcome => ({ ok: false, returnCode, reason });

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createDeviceAuthenticator(
  directory: DeviceDirectory,
  options: DeviceAuthenticatorOptions = {},
): DeviceAuthenticator {
  const verify = options.verify ?? verifySecret;
  const now = options.now ?? Date.now;
  const verified = createVerifiedTokens(options.maxCachedDevices ?? 10_000, now);
  const revocations = createPendingRevocations({
    now,
    ...(options.maxPendingRevocationMs === undefined ? {} : { maxAgeMs: options.maxPendingRevocationMs }),
  });
  const outageGraceMs = options.outageGraceMs ?? 60 * 60_000;
  const perDevice = createFailedLoginThrottle({ limit: 10, ...options.failedLoginsPerDevice, now });
  const perAddress = createFailedLoginThrottle({ limit: 30, ...options.failedLoginsPerAddress, now });
  let dummy: Promise<{ algorithm: string; hash: string }> | undefined = options.unknownDeviceCredential
    ? Promise.resolve(options.unknownDeviceCredential)
    : undefined;
  const dummyCredential = () => (dummy ??= hashSecret(generateToken()));

  /** Why `deviceId` from `host` may not try now, or undefined. */
  function throttled(deviceId: string, host: string | undefined): string | undefined {
    const forHost = host === undefined ? 0 : perAddress.blockedFor(host);
    if (forHost > 0) return `too many failed logins from ${host}; retry in ${seconds(forHost)} s`;
    const forDevice = perDevice.blockedFor(deviceId);
    if (forDevice > 0) {
      return `too many failed logins for device "${deviceId}"; retry in ${seconds(forDevice)} s`;
    }
    return undefined;
  }

  function failed(deviceId: string, host: string | undefined): AuthOutcome {
    perDevice.fail(deviceId);
    if (host !== undefined) perAddress.fail(host);
    return refused(CONNACK.badCredentials, "bad device id or token");
  }

  /** The device as the directory shows it with pending revocations applied, or the directory's error. */
  async function lookup(deviceId: string): Promise<DirectoryDevice | undefined | Error> {
    try {
      return revocations.apply(deviceId, await directory.findDevice(deviceId));
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * The directory failed: admits a token verified recently, else code 3. A revoked token is not
   * among them: `forgetDevice` drops them all, and a check against a revocation never remembers one.
   */
  function duringOutage(deviceId: string, tokenDigest: string, error: Error): AuthOutcome {
    if (isRetriable(error) && verified.recentlyVerified(deviceId, tokenDigest, outageGraceMs)) {
      return { ok: true, deviceId, method: "token" };
    }
    return refused(CONNACK.serverUnavailable, `device directory unavailable: ${error.message}`);
  }

  return {
    async withToken(deviceId, token, from) {
      if (!deviceId || !token || token.length === 0) {
        return refused(CONNACK.badCredentials, "username (device id) and password (token) are required");
      }
      if (!DEVICE_ID_PATTERN.test(deviceId) || token.length > MAX_TOKEN_BYTES) {
        return refused(CONNACK.badCredentials, "bad device id or token");
      }
      const host = from === undefined ? undefined : clientHostKey(from);
      const secret = new TextDecoder().decode(token);
      const tokenDigest = createHash("sha256").update(secret).digest("base64");
      const device = await lookup(deviceId);
      if (device instanceof Error) return duringOutage(deviceId, tokenDigest, device);
      const throttle = throttled(deviceId, host);
      // Unknown device and wrong token look the same to the client, in answer and in time.
      if (!device?.credential) {
        if (throttle) return refused(CONNACK.serverUnavailable, throttle);
        await verify(secret, await dummyCredential()).catch(() => false);
        return failed(deviceId, host);
      }
      const cached = verified.matches(deviceId, device.credential.hash, tokenDigest);
      if (!cached) {
        if (throttle) return refused(CONNACK.serverUnavailable, throttle);
        const ok = await verify(secret, device.credential).catch(() => false);
        if (!ok) return failed(deviceId, host);
      }
      // Checked after the token so that only a holder of the token learns the device's status.
      if (device.status !== "active") {
        verified.forget(deviceId); // or a directory outage would let it in again
        return refused(CONNACK.notAuthorized, `device is ${device.status}`);
      }
      verified.remember(deviceId, device.credential.hash, tokenDigest);
      return { ok: true, deviceId, method: "token" };
    },

    async withCertificate(commonName, username) {
      if (!DEVICE_ID_PATTERN.test(commonName)) {
        return refused(CONNACK.notAuthorized, "certificate CN is not a valid device id");
      }
      if (username !== undefined && username !== "" && username !== commonName) {
        return refused(CONNACK.notAuthorized, "username does not match the certificate CN");
      }
      const device = await lookup(commonName);
      if (device instanceof Error) {
        return refused(CONNACK.serverUnavailable, `device directory unavailable: ${device.message}`);
      }
      if (device === undefined) return refused(CONNACK.notAuthorized, "unknown device");
      if (device.status !== "active") return refused(CONNACK.notAuthorized, `device is ${device.status}`);
      return { ok: true, deviceId: commonName, method: "certificate" };
    },

    forgetDevice(deviceId, revocation) {
      verified.forget(deviceId);
      if (revocation) revocations.add(deviceId, revocation);
    },
  };
}
