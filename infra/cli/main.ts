/**
 * `deno task aiot <command>` — operator commands against the configured engines (the same
 * AIOT_* variables as `deno task start`):
 *
 *   rebuild readmodels|timeseries [--from <ISO-8601 | epoch ms>]
 *   rebuild <read model>   (one read model, e.g. device_metrics; the others are untouched)
 *   devices create [--id <id>] [--name <name>] [--label k=v …]
 *   devices list [--label k=v] | rotate <id> | decommission <id> [--reason <text>]
 *   certs init|server|device <id> [--out <dir>]   (PEM files under AIOT_DATA_DIR/certs)
 *   backup <dir> | restore <dir> [--force]   (the embedded engines' files: infra/backup)
 *   export --topic <family> --from <time> [--to] [--device] [--types] [--format] [--out <file>|-] [--force]
 *
 * Stop the platform before a rebuild: a live projector writing into a store being rebuilt would
 * interleave old and new events.
 */
import { AiotError } from "../../core/errors.ts";
import { topicNames } from "../../core/events/topics.ts";
import { timeseriesProjector } from "../../processors/timeseries/mod.ts";
import { readModelsProjector } from "../../processors/readmodels/mod.ts";
import { loadConfig } from "../config/config.ts";
import { openBrokerAccounts } from "../broker_accounts_from_config.ts";
import { openEventLog } from "../event_log_from_config.ts";
import { openReadModels, openTimeSeriesStore } from "../stores_from_config.ts";
import { CERTS_USAGE, runCertsCommand } from "../certs/mod.ts";
import { runDevicesCommand } from "./devices.ts";
import { BACKUP_USAGE, runBackupCommand } from "./backup.ts";
import { EXPORT_USAGE, runExportCommand } from "./export.ts";
import { rebuildProjection } from "../lifecycle/rebuild.ts";
import { rebuildReadModel } from "../all_in_one/stale_read_models.ts";
import { readModels } from "../../core/readmodels/registry.ts";

const USAGE = `usage: deno task aiot rebuild readmodels|timeseries [--from <ISO-8601 | epoch ms>]
       deno task aiot rebuild <read model>    (one of: ${readModels.map((m) => m.name).join(", ")})
       deno task aiot devices create [--id <id>] [--name <name>] [--label k=v …]
       deno task aiot devices list [--label k=v] | rotate <id> | decommission <id> [--reason <text>]
${CERTS_USAGE}
${BACKUP_USAGE}
${EXPORT_USAGE}`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  Deno.exit(2);
}

function parseTime(raw: string): number {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (Number.isNaN(ms)) fail(`--from: cannot read "${raw}" as ISO-8601 or epoch milliseconds`);
  return ms;
}

const [command, ...rest] = Deno.args;
const config = loadConfig(Deno.env.toObject());
if (command === "certs") {
  // Files only: no engine is opened.
  await runCertsCommand(rest, { dataDir: config.dataDir, fail });
  Deno.exit(0);
}
if (command === "backup" || command === "restore") {
  // Files only, before the log is opened here: a restore target must stay empty, and a backup
  // reads the live files through snapshots of its own.
  await runBackupCommand(command, rest, { config, fail });
  Deno.exit(Deno.exitCode);
}
const topics = topicNames(config.topicPrefix);
const { log } = await openEventLog(config);
await log.ensureTopics(Object.values(topics).map((name) => ({ name, partitions: config.partitions })));

try {
  if (command === "rebuild") {
    const [target, flag, value] = rest;
    const fromTimestamp = flag === "--from" && value ? parseTime(value) : undefined;
    if (flag !== undefined && fromTimestamp === undefined) fail(`unknown option ${flag}`);
    const tty = Deno.stderr.isTerminal();
    const progress = (line: string, final: boolean) =>
      tty
        ? Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}${final ? "\n" : ""}`))
        : console.error(line);
    if (target === "readmodels") {
      if (fromTimestamp !== undefined) {
        fail("read models are rebuilt from the beginning: --from applies to timeseries");
      }
      const readModels = await openReadModels(config);
      await rebuildProjection({
        log,
        processor: readModelsProjector(readModels, topics),
        clear: () => readModels.clear(),
        progress,
      });
      await readModels.close();
    } else if (target === "timeseries") {
      const store = await openTimeSeriesStore(config);
      await rebuildProjection({
        log,
        processor: timeseriesProjector(store, topics.telemetry),
        clear: () => store.clear(),
        progress,
        ...(fromTimestamp === undefined ? {} : { fromTimestamp }),
      });
      await store.close();
    } else if (readModels.some((m) => m.name === target)) {
      if (flag !== undefined) fail(`rebuild ${target}: a read model is rebuilt from the beginning`);
      const store = await openReadModels(config);
      await rebuildReadModel({ log, topics, store, name: target!, progress });
      await store.close();
    } else {
      fail(`rebuild: unknown projection "${target ?? ""}"`);
    }
  } else if (command === "export") {
    await runExportCommand(rest, {
      log,
      topics,
      latenessMs: config.latenessMs,
      maxEvents: config.exportMaxEvents,
      fail,
    });
  } else if (command === "devices") {
    const readModels = await openReadModels(config);
    // Only the commands that change a token or the device's access talk to the broker.
    const brokerAccounts = ["create", "rotate", "decommission"].includes(rest[0] ?? "")
      ? await openBrokerAccounts(config)
      : undefined;
    try {
      await runDevicesCommand(rest, {
        log,
        readModels,
        deviceTopic: topics.device,
        fail,
        ...(brokerAccounts ? { brokerAccounts } : {}),
      });
    } catch (error) {
      // Refusals the operator can act on (409, 404, 503 from the broker): the message, no stack.
      if (!(error instanceof AiotError)) throw error;
      console.error(error.message);
      Deno.exitCode = 1;
    } finally {
      await brokerAccounts?.close();
      await readModels.close();
    }
  } else {
    fail(command ? `unknown command "${command}"` : "no command given");
  }
} finally {
  await log.close();
}
Deno.exit(Deno.exitCode);
