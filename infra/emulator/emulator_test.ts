/** The emulator against the real platform in-process: the device contract, seen from both sides. */
import assert from "node:assert/strict";
import { createEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import { type Platform, startPlatform } from "../all_in_one/platform.ts";
import { loadConfig } from "../config/config.ts";
import {
  DEMO_DEVICES,
  DEMO_FIRMWARE,
  ensureDemoFirmware,
  formatTokenFile,
  registerDemoDevices,
  startDemo,
  startEmulator,
} from "./mod.ts";
import { findFirmwareRelease, getCommand, getDeviceState, getRule } from "../../core/readmodels/mod.ts";

async function withPlatform(run: (platform: Platform, brokerUrl: string, dir: string) => Promise<void>) {
  const dataDir = await Deno.makeTempDir({ prefix: "aiot-emulator-" });
  const platform = await startPlatform(loadConfig({
    AIOT_DATA_DIR: dataDir,
    AIOT_MQTT_PORT: "0",
    AIOT_MQTT_HOST: "127.0.0.1",
  }));
  try {
    await run(platform, `mqtt://127.0.0.1:${platform.broker!.mqttPort}`, dataDir);
  } finally {
    await platform.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 8000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const deps = (platform: Platform, brokerUrl: string) => ({
  log: platform.log,
  readModels: platform.readModels,
  deviceTopic: platform.topics.device,
  brokerUrl,
});

Deno.test({
  name: "emulated devices stream telemetry, ack commands, play OTA, apply desired state and see rejections",
  fn: () =>
    withPlatform(async (platform, brokerUrl) => {
      const devices = await registerDemoDevices(deps(platform, brokerUrl));
      assert.equal(devices.length, DEMO_DEVICES.length);
      const emulator = startEmulator({
        brokerUrl,
        devices,
        ratePerDevice: 5,
        malformedRate: 0.1,
        otaStepMs: 20,
        reconnectPeriodMs: 200,
      });
      try {
        await eventually("every device connected", () => emulator.stats().connected === DEMO_DEVICES.length);
        const latest = await eventually("thermostat telemetry stored", async () => {
          const values = await platform.timeseries.latest("demo-thermostat-1");
          return values.some((v) => v.metric === "temperature") ? values : undefined;
        });
        assert.deepEqual(latest.map((v) => v.metric), [
          "heating",
          "humidity",
          "mode",
          "setpoint",
          "temperature",
        ]);
        await eventually("tracker position stored", async () =>
          (await platform.timeseries.latest("demo-tracker-1")).some((v) => v.metric === "lat"));
        await eventually("reported state on connect", async () =>
          (await getDeviceState(platform.readModels, "demo-door-1"))?.reported.model === "aiot-door");

        // A command through the platform: requested on the log, dispatched by the commands processor.
        const expiresAt = new Date(Date.now() + 30_000).toISOString();
        await platform.log.append(platform.topics.command, [
          toLogMessage(createEvent("command.requested", { commandId: "cmd-1", name: "reboot", expiresAt }, {
            key: "demo-door-1",
            source: "test",
          })),
        ]);
        await eventually("command acked", async () =>
          (await getCommand(platform.readModels, "cmd-1"))?.status === "acked");

        // Desired state: the thermostat takes the new setpoint and reports it back.
        await platform.log.append(platform.topics.device, [
          toLogMessage(createEvent("device.state.desired", { patch: { setpoint: 26 }, by: "test" }, {
            key: "demo-thermostat-2",
            source: "test",
          })),
        ]);
        await eventually("desired setpoint reported", async () => {
          const state = await getDeviceState(platform.readModels, "demo-thermostat-2");
          return state?.reported.setpoint === 26 && Object.keys(state.delta).length === 0;
        });

        await platform.broker!.publishToDevice("demo-tracker-1", "ota", {
          jobId: "job-1",
          version: "2.0.0",
          url: "https://example.invalid/fw.bin",
          sha256: "0".repeat(64),
          size: 1024,
        });
        // A job whose image cannot be downloaded fails (ota_updater_test.ts covers the download).
        await eventually("OTA played to the end", () =>
          emulator.stats().otaFailed === 1);

        await eventually("malformed payloads refused and noticed", () =>
          emulator.stats().rejected > 0);
        await eventually("steady traffic", () =>
          emulator.stats().sent > 10);
        const stats = emulator.stats();
        assert.equal(stats.commands, 1);
        assert.equal(stats.otaJobs, 0);
        assert.ok(stats.acked > 0 && stats.malformed > 0, JSON.stringify(stats));
        assert.equal(stats.connectErrors, 0, stats.lastError ?? "");
      } finally {
        await emulator.stop();
      }
      assert.equal(emulator.stats().connected, 0);
    }),
});

Deno.test({
  name:
    "startDemo() re-tokens existing demo devices and publishes its firmware once, so a restarted demo works again",
  fn: () =>
    withPlatform(async (platform, brokerUrl) => {
      const firmware = { store: platform.firmware!.store };
      const first = await startDemo({ ...deps(platform, brokerUrl), firmware });
      await eventually("first demo connected", () => first.stats().connected === DEMO_DEVICES.length);
      const image = await eventually("the demo firmware published", () =>
        findFirmwareRelease(platform.readModels, DEMO_FIRMWARE.name, DEMO_FIRMWARE.version));
      assert.equal(image.size, DEMO_FIRMWARE.size);
      assert.equal(await platform.firmware!.store.sizeOf(image.sha256), DEMO_FIRMWARE.size);
      await first.stop();
      const second = await startDemo({ ...deps(platform, brokerUrl), ratePerDevice: 4, firmware });
      try {
        assert.equal(
          await ensureDemoFirmware({
            ...deps(platform, brokerUrl),
            ...firmware,
            otaTopic: platform.topics.ota,
          }),
          image.id,
          "kept, not published again",
        );
        await eventually("second demo connected and sending", () => {
          const s = second.stats();
          return s.connected === DEMO_DEVICES.length && s.acked > 5;
        });
        assert.equal(second.stats().connectErrors, 0, second.stats().lastError ?? "");
      } finally {
        await second.stop();
      }
    }),
});

Deno.test({
  name: "startDemo() defines the demo rules once their metrics were reported, keeping one that exists",
  fn: () =>
    withPlatform(async (platform, brokerUrl) => {
      // An operator's own version of one demo rule: a restarted demo must not replace it.
      await platform.log.append(platform.topics.alert, [
        toLogMessage(createEvent("rule.defined", {
          ruleId: "demo-van-speeding",
          version: 1,
          name: "Van speeding (tuned)",
          enabled: true,
          severity: "warning",
          condition: { kind: "threshold", metric: "speed", op: ">", value: 70 },
          by: "op",
        }, { key: "demo-van-speeding", source: "test" })),
      ]);
      await eventually("the operator's rule projected", () =>
        getRule(platform.readModels, "demo-van-speeding"));
      const demo = await startDemo({ ...deps(platform, brokerUrl), ratePerDevice: 5 });
      try {
        const boiler = await eventually("the boiler rule defined", () =>
          getRule(platform.readModels, "demo-boiler-hot"));
        assert.equal(boiler.version, 1);
        assert.deepEqual(boiler.condition, {
          kind: "threshold",
          metric: "temperature",
          op: ">",
          value: 80,
          forSeconds: 20,
        });
        assert.deepEqual(boiler.clear, { hysteresis: 3 });
        await eventually("the silence rule defined", () =>
          getRule(platform.readModels, "demo-device-silent"));
        // The boiler reported: its metric is what the rule waited for.
        assert.ok((await platform.timeseries.latest("demo-boiler-1")).some((v) =>
          v.metric === "temperature"
        ));
        const van = await getRule(platform.readModels, "demo-van-speeding");
        assert.equal(van?.name, "Van speeding (tuned)");
        assert.equal(van?.condition.kind === "threshold" && van.condition.value, 70);
      } finally {
        await demo.stop();
      }
    }),
});

Deno.test({
  name: "`deno task emulate` with a token file runs for --duration and prints live lines and totals",
  fn: () =>
    withPlatform(async (platform, brokerUrl, dir) => {
      const devices = await registerDemoDevices(deps(platform, brokerUrl));
      await Deno.writeTextFile(`${dir}/tokens.txt`, formatTokenFile(devices.slice(0, 2)));
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("./main.ts", import.meta.url).pathname,
          ...["--token-file", `${dir}/tokens.txt`, "--broker", brokerUrl, "--profile", "door"],
          ...["--rate", "10", "--duration", "2.5"],
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      assert.match(stderr, /emulating 2 door device\(s\)/);
      assert.match(stderr, /connected 2\/2 · sent \d+\/s/);
      const totals = /totals after [\d.]+ s: connected 0\/2 · sent \d+\/s avg \((\d+) total\) · acked (\d+)/
        .exec(stderr);
      assert.ok(totals, stderr);
      assert.ok(Number(totals[1]) >= 20, "about 10 msg/s per device for 2 s");
      assert.equal(totals[2], totals[1], "every QoS 1 message acknowledged");
    }),
});
