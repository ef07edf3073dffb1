import assert from "node:assert/strict";
import { loadConfig } from "../config/config.ts";
import { configSecrets } from "./config_secrets.ts";
import { logSettingsFromEnv } from "./settings.ts";

Deno.test("logSettingsFromEnv() defaults to text on a terminal, JSON otherwise, at info", () => {
  assert.deepEqual(logSettingsFromEnv({}, { stderrIsTerminal: true }), { format: "text", level: "info" });
  assert.deepEqual(logSettingsFromEnv({}, { stderrIsTerminal: false }), { format: "json", level: "info" });
  assert.deepEqual(
    logSettingsFromEnv({ AIOT_LOG_FORMAT: "json", AIOT_LOG_LEVEL: "DEBUG" }, { stderrIsTerminal: true }),
    { format: "json", level: "debug" },
  );
});

Deno.test("logSettingsFromEnv() refuses unknown values, naming the variable", () => {
  assert.throws(
    () => logSettingsFromEnv({ AIOT_LOG_FORMAT: "xml" }, { stderrIsTerminal: false }),
    /AIOT_LOG_FORMAT/,
  );
  assert.throws(
    () => logSettingsFromEnv({ AIOT_LOG_LEVEL: "trace" }, { stderrIsTerminal: false }),
    /AIOT_LOG_LEVEL/,
  );
});

Deno.test("configSecrets() lists the passwords and keys a configuration holds", () => {
  const key = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
  const config = loadConfig({
    AIOT_ADMIN_PASSWORD: "admin-pass-1",
    AIOT_POSTGRES_URL: "postgres://aiot:pg%40pass@db:5432/aiot",
    AIOT_MONGO_URL: "mongodb://root:mongo-pass@mongo:27017/aiot",
    AIOT_MQTT_URL: "mqtt://ingest:mqtt-pass@broker:1883",
    AIOT_MQTT_ADMIN_USERNAME: "admin",
    AIOT_MQTT_ADMIN_PASSWORD: "dynsec-pass",
    AIOT_SECRET_KEY: key,
  });
  assert.deepEqual(
    configSecrets(config).sort(),
    [
      "admin-pass-1",
      "dynsec-pass",
      key,
      "pg@pass",
      "mongo-pass",
      "mqtt-pass",
    ].sort(),
  );
  assert.deepEqual(configSecrets(loadConfig({})), []);
});
