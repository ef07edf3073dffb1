/**
 * The API over in-memory fakes, for tests: an in-memory event log whose appends are projected
 * into the in-memory read models at once (as the readmodels projector would, a moment later),
 * a fake hash instead of scrypt (fast; these tests are about HTTP, not KDFs), a settable clock and
 * client address, and one logged-in user per role.
 */
import type { Hono } from "hono";
import { toLogMessage } from "../core/events/codec.ts";
import type { DomainEvent } from "../core/events/catalog.ts";
import type { EventLog } from "../core/log/event_log.ts";
import { readEvents } from "../core/log/read_events.ts";
import { logExportSource } from "../core/export/mod.ts";
import { topicNames } from "../core/events/topics.ts";
import { createInMemoryEventLog } from "../core/testing/in_memory_event_log.ts";
import { createInMemoryReadModelStore } from "../core/testing/in_memory_read_model_store.ts";
import { createInMemoryTimeSeriesStore } from "../core/testing/in_memory_time_series_store.ts";
import { createInMemoryUserStore } from "../core/testing/in_memory_user_store.ts";
import { type Role, ROLES } from "../core/users/roles.ts";
import { createApp } from "./app.ts";
import type { AppDeps } from "./deps.ts";

/** 2025-01-01T00:00:00Z. */
export const T0 = Date.UTC(2025, 0, 1);

export const PASSWORD = "correct horse battery";

export interface TestApp {
  app: Hono;
  deps: AppDeps;
  /** Every event appended through the API, in order. */
  appended: DomainEvent[];
  /** The log `appendEvents` writes to (what a live hub would read). */
  log: EventLog;
  clock: { t: number };
  client: { address: string };
  /** A session token per role, for users `viewer`, `operator`, `admin`. */
  tokens: Record<Role, string>;
  /** `app.request` with JSON, as `role` (or anonymous). */
  call(
    method: string,
    path: string,
    options?: { as?: Role | string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

let counter = 0;

export async function createTestApp(overrides: Partial<AppDeps> = {}): Promise<TestApp> {
  const clock = { t: T0 };
  const client = { address: "192.0.2.1" };
  const topics = topicNames();
  const log = createInMemoryEventLog();
  await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: 2 })));
  // Appends are projected into this store, so a real engine's store may be passed in.
  const readModels = overrides.readModels ?? createInMemoryReadModelStore();
  const appended: DomainEvent[] = [];

  const deps: AppDeps = {
    readiness: () => Promise.resolve([]),
    readModels,
    timeseries: createInMemoryTimeSeriesStore(),
    users: createInMemoryUserStore(),
    topics,
    async appendEvents(topic, events) {
      const acks = await log.append(topic, events.map(toLogMessage));
      for (const partition of new Set(acks.map((a) => a.partition))) {
        const mine = acks.flatMap((a, i) => (a.partition === partition ? [i] : []));
        await readModels.project({
          processor: "readmodels",
          topic,
          partition,
          events: mine.map((i) => events[i]!),
          offsets: mine.map((i) => acks[i]!.offset),
        });
      }
      appended.push(...events);
      return acks;
    },
    readLog: (topic, options) => readEvents(log, topic, options),
    exportLog: logExportSource(log),
    hashSecret: (secret) => Promise.resolve({ algorithm: "scrypt", hash: `test$${btoa(secret)}` }),
    verifySecret: (secret, stored) => Promise.resolve(stored.hash === `test$${btoa(secret)}`),
    generateToken: () => `tok_${++counter}_${crypto.randomUUID().replaceAll("-", "")}`,
    now: () => clock.t,
    clientAddress: () => client.address,
    ...overrides,
  };
  const app = createApp(deps);

  const call: TestApp["call"] = (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as !== undefined) {
      const token = (tokens as Record<string, string>)[options.as] ?? options.as;
      headers.authorization = `Bearer ${token}`;
    }
    if (options.body !== undefined) headers["content-type"] = "application/json";
    return Promise.resolve(app.request(path, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    }));
  };

  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    await deps.users.createUser({
      username: role,
      role,
      password: await deps.hashSecret(PASSWORD),
      createdAt: new Date(T0).toISOString(),
    });
    const response = await call("POST", "/api/v1/auth/login", {
      body: { username: role, password: PASSWORD },
    });
    tokens[role] = (await response.json()).token;
  }
  client.address = "192.0.2.2"; // the logins above do not count against the tests' address
  return { app, deps, appended, log, clock, client, tokens, call };
}
