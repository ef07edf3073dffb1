/**
 * Request input through zod: the body, query and path parameters of a route are parsed with its
 * schemas, and every failure becomes one `ValidationError` whose details name each offending
 * field by its dotted path (`labels.site`, `timeoutSeconds`), unknown fields included.
 */
import type { z } from "zod";
import type { FieldIssue } from "../../core/errors.ts";
import { ValidationError } from "../../core/errors.ts";
import { UnsupportedMediaTypeError } from "../http_errors.ts";
import { jsonDepth } from "../../core/devices/state_limits.ts";

export type InputPart = "body" | "query" | "path";

/** One `FieldIssue` per zod issue; an unknown-keys issue gives one per unknown key. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: [...base, key].join("."), message: "unknown field" }));
    }
    return [{ path: base.join("."), message: issue.message }];
  });
}

function describe(issues: FieldIssue[]): string {
  return issues.map(({ path, message }) => (path === "" ? message : `${path}: ${message}`)).join("; ");
}

/** Parses `input` with `schema`; throws a `ValidationError` naming every bad field of `part`. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, part: InputPart): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = fieldIssues(parsed.error);
  throw new ValidationError(`Invalid request ${part}: ${describe(details)}`, { details });
}

/** `application/json` or a `+json` type, with any parameters (`; charset=utf-8`). */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * The JSON body; an empty body reads as `{}` so all-optional bodies may be left out. Any other
 * declared type is a 415, even with an empty body: the types a foreign page may send without a
 * CORS preflight (`text/plain`, forms) never reach a route, which keeps cross-site writes out.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type");
  const text = await request.text();
  if (type === null ? text !== "" : !JSON_TYPE.test(type)) {
    throw new UnsupportedMediaTypeError(
      `Expected Content-Type: application/json, got ${type === null ? "none" : `"${type.slice(0, 100)}"`}`,
    );
  }
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError(`Invalid request body: not JSON (${(cause as Error).message})`, {
      cause,
      details: [{ path: "", message: "expected a JSON document" }],
    });
  }
  // Schema validation recurses; a body nested thousands deep would exhaust the stack (a 500).
  if (jsonDepth(body, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw new ValidationError(`Invalid request body: nested more than ${MAX_BODY_DEPTH} levels deep`, {
      details: [{ path: "", message: `at most ${MAX_BODY_DEPTH} levels of nesting` }],
    });
  }
  return body;
}

/** Nesting any request body may have; documents with their own limits (state: 16) are checked again. */
export const MAX_BODY_DEPTH = 64;

/** Drops keys whose value is `undefined`, so parsed input fits `exactOptionalPropertyTypes` options. */
export function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
