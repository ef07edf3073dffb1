/**
 * The sampler named by the standard `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` variables.
 * The SDK (`@opentelemetry/sdk-trace` 3.x) no longer reads them itself, so this does, with the
 * specification's default: `parentbased_always_on`. A parent-based sampler keeps one decision per
 * trace across processes: the gateway decides, every projector and the API follow the
 * `traceparent` the event carries.
 */
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace";

export const SAMPLER_NAMES = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;

/** The ratio of `OTEL_TRACES_SAMPLER_ARG`: a number in [0, 1], default 1 (as specified). */
function ratioOf(arg: string | undefined): number {
  if (arg === undefined || arg.trim() === "") return 1;
  const ratio = Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new RangeError(`Cannot use OTEL_TRACES_SAMPLER_ARG="${arg}": expected a ratio between 0 and 1`);
  }
  return ratio;
}

/** The sampler the environment asks for; throws a `RangeError` for an unknown name or a bad ratio. */
export function samplerFromEnv(env: Record<string, string | undefined>): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on").trim().toLowerCase();
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratioOf(arg));
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratioOf(arg)) });
  }
  throw new RangeError(
    `Cannot use OTEL_TRACES_SAMPLER="${name}": expected one of ${SAMPLER_NAMES.join(", ")}`,
  );
}
