/**
 * `device.connected` / `device.disconnected` for each MQTT connection of a device, appended
 * through the same group-commit appender as uplinks so they keep their order on the device
 * topic. A disconnect is recorded only for a connection whose connect was recorded.
 */
import { createEvent, type DomainEvent } from "../../core/events/catalog.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import { topicFor } from "../../core/events/topics.ts";
import type { DeviceSession } from "./device_sessions.ts";
import type { GroupCommitAppender } from "./group_commit.ts";

export interface LifecycleRecorderOptions {
  appender: GroupCommitAppender;
  topicPrefix: string;
  onError: (message: string, error: unknown) => void;
  now?: (() => number) | undefined;
}

export interface LifecycleRecorder {
  connected(session: DeviceSession): void;
  /** `fallbackReason` is used when nothing more specific was recorded on the session. */
  disconnected(session: DeviceSession, fallbackReason: string): void;
}

export function createLifecycleRecorder(options: LifecycleRecorderOptions): LifecycleRecorder {
  const { appender, topicPrefix, onError } = options;
  const eventOptions = (key: string) => ({
    key,
    source: "ingest",
    ...(options.now ? { now: options.now } : {}),
  });

  function append(event: DomainEvent): void {
    appender.append(topicFor(event.type, topicPrefix), toLogMessage(event)).catch((error) =>
      onError(`cannot append ${event.type} of ${event.key}`, error)
    );
  }

  function record(build: () => DomainEvent): void {
    try {
      append(build());
    } catch (error) {
      onError("cannot build a connection event", error);
    }
  }

  return {
    connected(session) {
      session.announced = true;
      record(() =>
        createEvent("device.connected", {
          clientId: session.clientId.slice(0, 256),
          protocol: session.transport.protocol,
          certificate: session.certificate,
          ...(session.transport.remoteAddress ? { remoteAddress: session.transport.remoteAddress } : {}),
        }, eventOptions(session.deviceId))
      );
    },
    disconnected(session, fallbackReason) {
      if (!session.announced) return;
      session.announced = false;
      record(() =>
        createEvent("device.disconnected", {
          clientId: session.clientId.slice(0, 256),
          reason: session.disconnectReason ?? fallbackReason,
        }, eventOptions(session.deviceId))
      );
    },
  };
}
