/**
 * What an emulated device measures and reports. Each profile is a small state machine stepped once
 * per telemetry message: values drift the way the real thing's would (a room warming towards its
 * setpoint, a door opened now and then, a vehicle moving along its heading, a boiler overheating on
 * a schedule) instead of pure noise.
 */

export const PROFILES = ["thermostat", "door", "tracker", "boiler"] as const;
export type ProfileName = typeof PROFILES[number];

export type TelemetryValue = number | boolean | string;
export type JsonPatch = Record<string, unknown>;

export interface DeviceModel {
  /** The next reading; `events` are device events (design §6) that happened since the last one. */
  next(
    now: number,
  ): { values: Record<string, TelemetryValue>; events?: { type: string; data?: JsonPatch }[] };
  /** The full reported state, sent on connect. */
  reported(): JsonPatch;
  /** Applies a desired-state delta the profile understands; returns the patch to report back. */
  applyDesired(delta: JsonPatch): JsonPatch;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

function thermostat(random: () => number): DeviceModel {
  const modes = ["heat", "eco", "off"];
  let setpoint = 20 + Math.round(random() * 4);
  let mode = "heat";
  let temperature = setpoint - 2 + random() * 4;
  let humidity = 35 + random() * 20;
  return {
    next() {
      // Heating pulls the room towards the setpoint (eco: 2 °C lower); off lets it cool to 16 °C.
      const target = mode === "off" ? 16 : mode === "eco" ? setpoint - 2 : setpoint;
      temperature += (target - temperature) * 0.05 + (random() - 0.5) * 0.2;
      humidity = clamp(humidity + (random() - 0.5) * 0.8, 20, 80);
      return {
        values: {
          temperature: round(temperature, 2),
          humidity: round(humidity, 1),
          setpoint,
          mode,
          heating: mode !== "off" && temperature < target - 0.3,
        },
      };
    },
    reported: () => ({ firmware: "1.0.0", model: "aiot-thermostat", setpoint, mode }),
    applyDesired(delta) {
      const applied: JsonPatch = {};
      if (typeof delta.setpoint === "number" && Number.isFinite(delta.setpoint)) {
        applied.setpoint = setpoint = clamp(delta.setpoint, 5, 30);
      }
      if (typeof delta.mode === "string" && modes.includes(delta.mode)) applied.mode = mode = delta.mode;
      return applied;
    },
  };
}

function door(random: () => number): DeviceModel {
  let open = false;
  let battery = 60 + random() * 40;
  let reportEvents = true;
  return {
    next() {
      battery = Math.max(0, battery - 0.002);
      const events: { type: string }[] = [];
      // A door is mostly closed: it opens rarely and closes again soon.
      if (random() < (open ? 0.3 : 0.05)) {
        open = !open;
        if (reportEvents) events.push({ type: open ? "door.opened" : "door.closed" });
      }
      return { values: { open, battery: round(battery, 1) }, ...(events.length ? { events } : {}) };
    },
    reported: () => ({ firmware: "1.0.0", model: "aiot-door", reportEvents }),
    applyDesired(delta) {
      if (typeof delta.reportEvents !== "boolean") return {};
      reportEvents = delta.reportEvents;
      return { reportEvents };
    },
  };
}

function tracker(random: () => number): DeviceModel {
  // Somewhere around Berlin, moving in a random direction at city speeds.
  let lat = 52.52 + (random() - 0.5) * 0.2;
  let lon = 13.405 + (random() - 0.5) * 0.3;
  let heading = random() * 360;
  let speed = random() * 50;
  let battery = 80 + random() * 20;
  let last: number | undefined;
  let intervalSeconds = 10;
  return {
    next(now) {
      const seconds = last === undefined ? 0 : Math.min(60, (now - last) / 1000);
      last = now;
      heading = (heading + (random() - 0.5) * 30 + 360) % 360;
      speed = clamp(speed + (random() - 0.5) * 10, 0, 90);
      const metres = (speed / 3.6) * seconds;
      const radians = (heading * Math.PI) / 180;
      lat += (metres * Math.cos(radians)) / 111_320;
      lon += (metres * Math.sin(radians)) / (111_320 * Math.cos((lat * Math.PI) / 180));
      battery = Math.max(0, battery - 0.001);
      return {
        values: {
          lat: round(lat, 6),
          lon: round(lon, 6),
          speed: round(speed, 1),
          heading: round(heading, 0),
          battery: round(battery, 1),
        },
      };
    },
    reported: () => ({ firmware: "1.0.0", model: "aiot-tracker", intervalSeconds }),
    applyDesired(delta) {
      if (typeof delta.intervalSeconds !== "number" || !(delta.intervalSeconds > 0)) return {};
      intervalSeconds = delta.intervalSeconds;
      return { intervalSeconds };
    },
  };
}

/** The boiler's overheating schedule, in seconds of its cycle (see `boiler`). */
export const BOILER_CYCLE = {
  /** One fault per cycle of this length. */
  periodSeconds: 300,
  /** Where in the cycle the first reading falls, so the first fault comes a minute after start. */
  startsAtSecond: 120,
  /** Climbing from the normal level to the fault's plateau. */
  climbFrom: 180,
  plateauFrom: 210,
  /** Cooling to just under 80 °C, lingering there, then back to normal. */
  coolFrom: 255,
  lingerFrom: 265,
  normalFrom: 285,
} as const;

const BOILER_NORMAL = 70;
const BOILER_PLATEAU = 86;
const BOILER_LINGER = 79.4;

/** The boiler's temperature at `second` of its cycle, before noise. */
function boilerLevel(second: number): number {
  const c = BOILER_CYCLE;
  const between = (from: number, to: number, a: number, b: number) =>
    a + ((second - from) / (to - from)) * (b - a);
  if (second < c.climbFrom) return BOILER_NORMAL;
  if (second < c.plateauFrom) return between(c.climbFrom, c.plateauFrom, BOILER_NORMAL, BOILER_PLATEAU);
  if (second < c.coolFrom) return BOILER_PLATEAU;
  if (second < c.lingerFrom) return between(c.coolFrom, c.lingerFrom, BOILER_PLATEAU, BOILER_LINGER);
  if (second < c.normalFrom) return BOILER_LINGER;
  return between(c.normalFrom, c.periodSeconds, BOILER_LINGER, BOILER_NORMAL);
}

/**
 * A boiler that overheats on a schedule, for rules and alerts in the demo: about 70 °C, then once
 * every 5 minutes (the first time a minute after it starts) it climbs above 80 °C for about a
 * minute, cools to just under 80 °C and lingers there before it settles. The noise (±1 °C) makes
 * the readings cross 80 °C back and forth on the way up and while lingering, so a rule without
 * hysteresis flaps and one with it (clear below 77 °C) raises once and clears once. Time is the
 * reading's `now`, so the schedule follows the clock it is given. A desired `setpoint` (40–75 °C,
 * default 70) moves the whole curve: turned down far enough, the faults stay below 80 °C.
 */
function boiler(random: () => number): DeviceModel {
  let origin: number | undefined;
  let setpoint = BOILER_NORMAL;
  return {
    next(now) {
      origin ??= now - BOILER_CYCLE.startsAtSecond * 1000;
      const second = (((now - origin) / 1000) % BOILER_CYCLE.periodSeconds + BOILER_CYCLE.periodSeconds) %
        BOILER_CYCLE.periodSeconds;
      const temperature = boilerLevel(second) + (setpoint - BOILER_NORMAL) + (random() - 0.5) * 2;
      return {
        values: {
          temperature: round(temperature, 2),
          pressure: round(1.5 + (temperature - BOILER_NORMAL) * 0.02 + (random() - 0.5) * 0.02, 3),
          burner: second >= BOILER_CYCLE.climbFrom && second < BOILER_CYCLE.coolFrom,
        },
      };
    },
    reported: () => ({ firmware: "1.0.0", model: "aiot-boiler", setpoint }),
    applyDesired(delta) {
      if (typeof delta.setpoint !== "number" || !Number.isFinite(delta.setpoint)) return {};
      setpoint = clamp(delta.setpoint, 40, 75);
      return { setpoint };
    },
  };
}

/** A fresh device of `profile`; `random` (default `Math.random`) makes runs reproducible in tests. */
export function createDeviceModel(profile: ProfileName, random: () => number = Math.random): DeviceModel {
  switch (profile) {
    case "thermostat":
      return thermostat(random);
    case "door":
      return door(random);
    case "tracker":
      return tracker(random);
    case "boiler":
      return boiler(random);
  }
}

/** Narrows a user-given name to a profile; throws a `TypeError` listing the choices otherwise. */
export function parseProfile(name: string): ProfileName {
  const found = PROFILES.find((p) => p === name);
  if (!found) throw new TypeError(`Unknown profile "${name}": expected ${PROFILES.join(", ")}`);
  return found;
}
