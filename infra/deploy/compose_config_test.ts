/**
 * compose.yaml as Docker Compose sees it: `docker-compose config -q` (the client from apt,
 * installed by `engines.sh install`; no container engine needed) accepts it with the required
 * variables set and refuses it without them; and what it resolves to keeps the deployment's
 * promises (one image built once, healthchecks gating every dependency, no --allow-all, only the
 * API bootstraps admin, every role run by some service, Kafka's data on its volume).
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { ROLES } from "../config/config.ts";
import { aiotServices, COMPOSE_FILE, type ComposeFile, environmentOf, REPO_ROOT } from "./_compose.ts";

const REQUIRED = {
  AIOT_ADMIN_PASSWORD: "compose-admin-password",
  AIOT_MQTT_ADMIN_PASSWORD: "compose-mqtt-admin-password",
  AIOT_MQTT_INGEST_PASSWORD: "compose-mqtt-ingest-password",
};

async function dockerCompose(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => !k.startsWith("AIOT_") && !k.startsWith("COMPOSE_")),
  );
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("docker-compose", {
      args: ["-f", COMPOSE_FILE.pathname, ...args],
      cwd: REPO_ROOT,
      env: { ...clean, ...env },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error('docker-compose is missing: install it with "bash infra/local/engines.sh install"');
    }
    throw error;
  }
  const text = new TextDecoder();
  return { code: output.code, stdout: text.decode(output.stdout), stderr: text.decode(output.stderr) };
}

Deno.test("docker-compose config -q accepts compose.yaml with the required variables, and only then", async () => {
  const ok = await dockerCompose(["config", "-q"], REQUIRED);
  assert.equal(ok.code, 0, ok.stderr);
  for (const name of Object.keys(REQUIRED)) {
    const without = Object.fromEntries(Object.entries(REQUIRED).filter(([k]) => k !== name));
    const refused = await dockerCompose(["config", "-q"], without);
    assert.notEqual(refused.code, 0, `${name} unset must be refused`);
    assert.match(refused.stderr, new RegExp(name));
  }
});

Deno.test("compose.yaml as resolved by docker-compose keeps the deployment's promises", async () => {
  const resolved = await dockerCompose(["config"], REQUIRED);
  assert.equal(resolved.code, 0, resolved.stderr);
  const compose = parse(resolved.stdout) as ComposeFile;
  const services = Object.entries(compose.services);

  for (const [name, service] of services) {
    assert.ok(service.healthcheck?.test, `${name} has a healthcheck`);
    const dependencies = service.depends_on ?? {};
    assert.ok(!Array.isArray(dependencies), `${name}: depends_on with conditions`);
    for (const [dependency, { condition }] of Object.entries(dependencies)) {
      assert.equal(condition, "service_healthy", `${name} waits until ${dependency} is healthy`);
    }
  }

  const aiot = aiotServices(compose);
  assert.deepEqual(
    services.filter(([, s]) => s.build).map(([name]) => name),
    ["api"],
    "one image, built once",
  );
  const roles = new Set<string>();
  for (const [name, service] of aiot) {
    const env = environmentOf(service);
    const command = service.command ?? [];
    assert.ok(
      !command.some((arg) => arg === "--allow-all" || arg === "-A"),
      `${name} runs without --allow-all`,
    );
    assert.ok(command.includes("--cached-only"), `${name} loads only modules cached in the image`);
    assert.ok(env.AIOT_ROLES, `${name} names its roles`);
    env.AIOT_ROLES!.split(",").forEach((role) => roles.add(role.trim()));
    assert.equal(
      "AIOT_ADMIN_PASSWORD" in env,
      env.AIOT_ROLES!.split(",").includes("api"),
      `${name}: only the API role bootstraps admin`,
    );
  }
  assert.deepEqual([...roles].sort(), [...ROLES].sort(), "every role runs in some service");

  const kafka = compose.services.kafka!;
  const logDirs = environmentOf(kafka).KAFKA_LOG_DIRS;
  assert.ok(
    (kafka.volumes ?? []).some((v) =>
      String(typeof v === "string" ? v : (v as { target: string }).target).includes(logDirs!)
    ),
    "Kafka's log dirs are on its volume",
  );
  assert.ok(compose.services.nginx, "nginx in front of the API");
  assert.deepEqual(compose.services.api!.ports ?? [], [], "the API is reached through nginx only");
});
