/**
 * @module
 * The `commands` processor: drives each command from `requested` to `dispatched`, and expires it
 * when its time is up unless the device answered (`acked`, from ingest) or the platform gave up.
 * It also delivers desired-state changes. Devices that are offline get their unexpired commands
 * and their outstanding desired-state delta when they connect again. Open commands survive a
 * restart: `init()` loads them from the read models, `tick()` expires them.
 */
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import type { DeviceGateway } from "../../core/gateway/device_gateway.ts";
import type { ProcessorDefinition, ProcessorOutput } from "../../core/processing/processor.ts";
import { withinTraceOf } from "../../core/tracing/mod.ts";

export interface OpenCommand {
  id: string;
  deviceId: string;
  name: string;
  params?: Record<string, unknown>;
  /** ISO-8601. */
  expiresAt: string;
  dispatched: boolean;
}

export interface CommandsDeps {
  gateway: DeviceGateway;
  topics: { command: string; device: string };
  /** Commands not finished yet, at start (the read models know them). */
  loadOpenCommands(): Promise<OpenCommand[]>;
  /** The device's outstanding desired-state delta, to deliver when it connects. */
  desiredDelta(deviceId: string): Promise<Record<string, unknown> | undefined>;
  now?: () => number;
}

export interface CommandsProcessor extends ProcessorDefinition {
  init(): Promise<void>;
  /** Commands being tracked (for metrics and tests). */
  openCount(): number;
}

export function commandsProcessor(deps: CommandsDeps): CommandsProcessor {
  const now = deps.now ?? Date.now;
  const open = new Map<string, OpenCommand & { expiresMs: number }>();
  const event = (type: "command.dispatched" | "command.expired", command: OpenCommand) =>
    createEvent(type, { commandId: command.id }, { key: command.deviceId, source: "commands", now });

  const track = (command: OpenCommand) =>
    open.set(command.id, { ...command, expiresMs: Date.parse(command.expiresAt) });

  /** Publishes to the device when it is online; true when handed to its connection. */
  async function deliver(command: OpenCommand): Promise<boolean> {
    if (!deps.gateway.isConnected(command.deviceId)) return false;
    try {
      await deps.gateway.publishToDevice(command.deviceId, `commands/${command.id}`, {
        name: command.name,
        ...(command.params === undefined ? {} : { params: command.params }),
        expiresAt: command.expiresAt,
      }, 1);
      return true;
    } catch {
      return false; // the device went away meanwhile: it gets the command when it is back
    }
  }

  async function dispatch(command: OpenCommand & { expiresMs: number }, out: DomainEvent[]): Promise<void> {
    if (command.expiresMs <= now()) {
      open.delete(command.id);
      out.push(event("command.expired", command));
      return;
    }
    if (await deliver(command) && !command.dispatched) {
      command.dispatched = true;
      out.push(event("command.dispatched", command));
    }
  }

  async function onEvent(e: DomainEvent, out: DomainEvent[]): Promise<void> {
    switch (e.type) {
      case "command.requested": {
        if (open.has(e.data.commandId)) return;
        const { commandId, name, params, expiresAt } = e.data;
        track({
          id: commandId,
          deviceId: e.key,
          name,
          expiresAt,
          dispatched: false,
          ...(params ? { params } : {}),
        });
        // The downlink joins the trace of the request, even in a batch of several requests.
        await withinTraceOf(e.traceparent, () => dispatch(open.get(commandId)!, out));
        return;
      }
      case "command.dispatched": {
        const command = open.get(e.data.commandId);
        if (command) command.dispatched = true;
        return;
      }
      case "command.acked":
        // Keyed by the device that sent it: any device may publish an ack on its own topic for a
        // command id it learned, and must not finish another device's command by doing so.
        if (open.get(e.data.commandId)?.deviceId !== e.key) return;
        open.delete(e.data.commandId);
        return;
      case "command.failed":
      case "command.expired":
        open.delete(e.data.commandId);
        return;
      case "device.connected": {
        // Re-sent on every reconnect (the device may have missed it); `dispatched` is recorded once.
        for (const command of [...open.values()].filter((c) => c.deviceId === e.key)) {
          await dispatch(command, out);
        }
        const delta = await deps.desiredDelta(e.key);
        if (delta && Object.keys(delta).length > 0) {
          await deps.gateway.publishToDevice(e.key, "state/desired", delta, 1).catch(() => {});
        }
        return;
      }
      case "device.state.desired":
        if (deps.gateway.isConnected(e.key)) {
          await deps.gateway.publishToDevice(e.key, "state/desired", e.data.patch, 1).catch(() => {});
        }
        return;
    }
  }

  const output = (events: DomainEvent[]): ProcessorOutput => ({
    append: [{ topic: deps.topics.command, events }],
  });

  return {
    name: "commands",
    topics: [deps.topics.command, deps.topics.device],
    handles: [
      "command.requested",
      "command.dispatched",
      "command.acked",
      "command.failed",
      "command.expired",
      "device.connected",
      "device.state.desired",
    ],
    async init() {
      for (const command of await deps.loadOpenCommands()) track(command);
    },
    openCount: () => open.size,
    async handle(events) {
      const out: DomainEvent[] = [];
      for (const e of events) await onEvent(e, out);
      return output(out);
    },
    tick(at) {
      const out: DomainEvent[] = [];
      for (const command of open.values()) {
        if (command.expiresMs <= at) {
          open.delete(command.id);
          out.push(event("command.expired", command));
        }
      }
      return output(out);
    },
  };
}
