/** The gateway seen by an independent client: Debian's mosquitto_pub / mosquitto_sub. */
import assert from "node:assert/strict";
import { run } from "../mqtt_external/_mosquitto.ts";
import { eventsIn, eventually, startGateway, TOKEN, topics } from "./_test_support.ts";

Deno.test("mosquitto_pub with the device token lands in the log; a wrong password exits non-zero", async () => {
  const gateway = await startGateway();
  try {
    const base = ["-h", "127.0.0.1", "-p", String(gateway.broker.mqttPort), "-V", "mqttv311", "-i", "dev-1"];
    const topic = ["-t", "devices/dev-1/telemetry", "-q", "1"];
    const ok = await run("mosquitto_pub", [
      ...base,
      "-u",
      "dev-1",
      "-P",
      TOKEN,
      ...topic,
      "-m",
      '{"temp":21.5}',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const [event] = await eventsIn(gateway.log, topics.telemetry);
    assert.equal(event?.key, "dev-1");
    assert.equal((event?.data as { values: { value: number }[] }).values[0]?.value, 21.5);

    const refused = await run("mosquitto_pub", [...base, "-u", "dev-1", "-P", "wrong", ...topic, "-m", "{}"]);
    assert.notEqual(refused.code, 0);
    assert.equal((await eventsIn(gateway.log, topics.telemetry)).length, 1);
  } finally {
    await gateway.close();
  }
});

Deno.test("mosquitto_sub receives a downlink published to the device", async () => {
  const gateway = await startGateway();
  try {
    const sub = new Deno.Command("mosquitto_sub", {
      args: [
        ...["-h", "127.0.0.1", "-p", String(gateway.broker.mqttPort), "-V", "mqttv311", "-i", "dev-2"],
        ...[
          "-u",
          "dev-2",
          "-P",
          TOKEN,
          "-t",
          "devices/dev-2/state/desired",
          "-q",
          "1",
          "-C",
          "1",
          "-W",
          "10",
        ],
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await eventually(() => gateway.broker.connectedDevices() === 1, "mosquitto_sub to connect");
    // The subscription follows the CONNACK; publish until it is in place.
    const done = sub.output();
    let output: Deno.CommandOutput | undefined;
    done.then((o) => output = o);
    await eventually(async () => {
      await gateway.broker.publishToDevice("dev-2", "state/desired", { mode: "eco" }, 1);
      return output !== undefined;
    }, "the downlink");
    const { code, stdout } = await done;
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), { mode: "eco" });
  } finally {
    await gateway.close();
  }
});
