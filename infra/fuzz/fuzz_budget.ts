/**
 * How long the fuzz tests run and with which seed, from the environment, so CI runs a short
 * bounded pass and a person can run a long one or replay a failure:
 *
 *   AIOT_FUZZ_SECONDS=600 AIOT_FUZZ_SEED=1234 deno test --allow-all infra/fuzz/
 */

/** `AIOT_FUZZ_SECONDS` (a positive number), else `ciSeconds`. */
export function fuzzSeconds(ciSeconds: number): number {
  const raw = Deno.env.get("AIOT_FUZZ_SECONDS");
  if (raw === undefined || raw === "") return ciSeconds;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new RangeError(`Cannot read AIOT_FUZZ_SECONDS: "${raw}" is not a positive number of seconds`);
  }
  return seconds;
}

/** `AIOT_FUZZ_SEED` (an unsigned 32-bit integer), else a fresh random one. */
export function fuzzSeed(): number {
  const raw = Deno.env.get("AIOT_FUZZ_SEED");
  if (raw === undefined || raw === "") return crypto.getRandomValues(new Uint32Array(1))[0]!;
  const seed = Number(raw);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`Cannot read AIOT_FUZZ_SEED: "${raw}" is not an unsigned 32-bit integer`);
  }
  return seed;
}
