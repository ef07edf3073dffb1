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

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
}

function parametersOf(r: Route): JsonSchema[] {
  const path = [...r.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (!r.query) return path;
  const query = jsonSchemaOf(r.query);
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

function operationOf(r: Route): JsonSchema {
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
  return {
    summary: r.summary,
    tags: [r.tag],
    operationId: `${r.method}${r.path.replaceAll(/[^A-Za-z0-9]+/g, "_")}`,
    parameters: parametersOf(r),
    ...(r.body
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchemaOf(r.body) } } } }
      : {}),
    responses,
    ...(r.permission === "public" ? { security: [] } : { "x-aiot-permission": r.permission }),
  };
}

export function openApiDocument(routes: readonly Route[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method] = operationOf(r);
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
      schemas: { Error: errorSchema },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        session: { type: "apiKey", in: "cookie", name: "aiot_session" },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
  };
}
