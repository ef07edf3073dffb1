/**
 * The OpenAPI 3.1 document of the mounted routes, generated from their declarations: the same
 * zod schemas that validate requests become the parameter and request body schemas
 * (`z.toJSONSchema`, input side), and every documented status code is listed, errors with the
 * shared error shape.
 */
import { z } from "zod";
import type { Route } from "./define.ts";

type JsonSchema = Record<string, unknown>;

const errorSchema: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        details: {
          type: "array",
          items: {
            type: "object",
            required: ["path", "message"],
            properties: { path: { type: "string" }, message: { type: "string" } },
          },
        },
      },
    },
  },
};

/** Shared schemas of recursive types (e.g. JSON values), hoisted out of the operations. */
type Components = Record<string, JsonSchema>;

/**
 * The JSON Schema of `schema` for an operation. zod puts the definitions of recursive types in a
 * local `$defs` referenced as `#/$defs/…`; in an OpenAPI document `#` is the document root, so
 * they move to `components/schemas` under unique names and the references follow.
 */
function jsonSchemaOf(schema: z.ZodType, components: Components): JsonSchema {
  const { $schema: _ignored, $defs, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  if (!$defs) return rest;
  const renamed = new Map(
    Object.keys($defs).map((name) => [name, `Json${Object.keys(components).length}_${name}`]),
  );
  let text = JSON.stringify({ rest, $defs });
  for (const [name, unique] of renamed) {
    text = text.replaceAll(`"#/$defs/${name}"`, `"#/components/schemas/${unique}"`);
  }
  const moved = JSON.parse(text) as { rest: JsonSchema; $defs: Record<string, JsonSchema> };
  for (const [name, unique] of renamed) components[unique] = moved.$defs[name]!;
  return moved.rest;
}

function parametersOf(r: Route, components: Components): JsonSchema[] {
  const path = [...r.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (!r.query) return path;
  const query = jsonSchemaOf(r.query, components);
  const properties = (query.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((query.required ?? []) as string[]);
  return [
    ...path,
    ...Object.entries(properties).map(([name, schema]) => ({
      name,
      in: "query",
      required: required.has(name),
      schema,
    })),
  ];
}

function operationOf(r: Route, components: Components): JsonSchema {
  const responses = Object.fromEntries(
    Object.entries(r.responses).map(([status, description]) => [
      status,
      Number(status) >= 400
        ? { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }
        : { description },
    ]),
  );
  const error = (description: string) => ({
    description,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  });
  if (r.permission !== "public") {
    responses["401"] ??= error("No valid credentials");
    responses["403"] ??= error(
      r.method === "get"
        ? `Needs a role with "${r.permission}"`
        : `Needs a role with "${r.permission}"; or the session cookie from an origin that is neither this ` +
          "host nor in AIOT_CORS_ORIGINS",
    );
  }
  if (r.body) responses["415"] ??= error("The body is not application/json");
  if (r.rawBody) responses["415"] ??= error(`The body is not ${r.rawBody.contentType}`);
  return {
    summary: r.summary,
    tags: [r.tag],
    operationId: `${r.method}${r.path.replaceAll(/[^A-Za-z0-9]+/g, "_")}`,
    parameters: parametersOf(r, components),
    ...(r.body
      ? {
        requestBody: {
          required: true,
          content: { "application/json": { schema: jsonSchemaOf(r.body, components) } },
        },
      }
      : {}),
    ...(r.rawBody
      ? {
        requestBody: {
          required: true,
          description: r.rawBody.description,
          content: { [r.rawBody.contentType]: { schema: { type: "string", format: "binary" } } },
        },
      }
      : {}),
    responses,
    ...(r.permission === "public" ? { security: [] } : { "x-aiot-permission": r.permission }),
  };
}

export function openApiDocument(routes: readonly Route[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const components: Components = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method] = operationOf(r, components);
  return {
    openapi: "3.1.0",
    info: {
      title: "AIOT HTTP API",
      version: "1",
      description:
        "Roles: viewer (read), operator (+ operate devices), admin (+ manage users, tokens, audit).",
    },
    paths,
    components: {
      schemas: { Error: errorSchema, ...components },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        session: { type: "apiKey", in: "cookie", name: "aiot_session" },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
  };
}
