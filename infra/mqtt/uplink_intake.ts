/**
 * The ingest step of the gateway, run from aedes' `authorizePublish` hook, i.e. before the
 * broker acknowledges the message: the uplink becomes events (or a rejection), those are handed
 * to the group-commit appender, and the hook's callback is called
 * - for QoS 1 and 2: only after the events are durable, so a PUBACK/PUBREC means "in the log";
 *   a failed append calls back with the error, which closes the connection unacknowledged and
 *   makes the device resend;
 * - for QoS 0: at once while fewer than `maxPendingQos0` messages wait for the log, else after
 *   this message's append, which stops aedes reading the socket (TCP backpressure) and bounds
 *   memory. A QoS 0 message whose append fails is lost, as QoS 0 allows; `onLateFailure` is told.
 *
 * A rejected uplink is appended as `input.rejected` to the dead-letter topic and, once that is
 * durable, the notice goes to the device on `devices/{id}/errors`.
 *
 * The uplink parser itself is injected (`processors/ingest` `ingestUplink`): infra must not
 * import processors, so the composition root passes it in.
 */
import type { DomainEvent, EventType } from "../../core/events/catalog.ts";
import type { RejectionNotice, Uplink, UplinkResult } from "../../core/gateway/uplink.ts";
import { toLogMessage } from "../../core/events/codec.ts";
import { topicFor } from "../../core/events/topics.ts";
import type { GroupCommitAppender } from "./group_commit.ts";
import { context } from "@opentelemetry/api";
import { endSpan, tracingEnabled } from "../../core/tracing/mod.ts";
import { type IngestSpan, startIngestSpan, traceAppend, traceResult } from "./ingest_span.ts";

export type { RejectionNotice, Uplink, UplinkResult };

/** Turns an uplink into events or a rejection; must not throw. */
export type IngestUplink = (uplink: Uplink) => UplinkResult;

export interface UplinkIntakeOptions {
  ingest: IngestUplink;
  appender: GroupCommitAppender;
  topicPrefix: string;
  /** Publishes a rejection notice to the device; called after the dead-letter append. */
  sendNotice(deviceId: string, notice: RejectionNotice): void;
  /** Messages waiting for the log above which QoS 0 publishers wait too. Default 10,000. */
  maxPendingQos0?: number;
}

/** Handles one uplink; `done` is the aedes hook callback. */
export type UplinkIntake = (
  uplink: Uplink,
  done: (error: Error | null) => void,
  onLateFailure: (error: Error) => void,
) => void;

const asError = (error: unknown) => error instanceof Error ? error : new Error(String(error));

export function createUplinkIntake(options: UplinkIntakeOptions): UplinkIntake {
  const { ingest, appender, topicPrefix } = options;
  const maxPendingQos0 = options.maxPendingQos0 ?? 10_000;

  function appendEvent(event: DomainEvent, traced: IngestSpan | undefined): Promise<void> {
    const topic = topicFor(event.type as EventType, topicPrefix);
    const durable = appender.append(topic, toLogMessage(event));
    if (traced) traceAppend(traced, topic, durable);
    return durable;
  }

  function appendEvents(events: DomainEvent[], traced?: IngestSpan): Promise<void> {
    // `appender.append` enqueues synchronously, so one device's uplinks keep their order.
    // An uplink is one event (every route makes one): its append's promise is the answer.
    if (events.length === 1) return appendEvent(events[0]!, traced);
    return Promise.all(events.map((event) => appendEvent(event, traced))).then(() => undefined);
  }

  return (uplink, done, onLateFailure) => {
    // With tracing off: no span, no context, nothing allocated for it.
    const traced = tracingEnabled() ? startIngestSpan(uplink) : undefined;
    let durable: Promise<void>;
    try {
      const ingested = traced ? context.with(traced.context, () => ingest(uplink)) : ingest(uplink);
      const result = traced ? traceResult(traced, ingested) : ingested;
      durable = result.ok
        ? appendEvents(result.events, traced)
        : appendEvents([result.rejected], traced).then(() =>
          options.sendNotice(uplink.deviceId, result.notice)
        );
    } catch (error) {
      if (traced) endSpan(traced.span, error);
      done(asError(error));
      return;
    }
    if (traced) durable.then(() => traced.span.end(), (error) => endSpan(traced.span, error));
    if ((uplink.qos ?? 0) === 0 && appender.pending <= maxPendingQos0) {
      done(null);
      durable.catch((error) => onLateFailure(asError(error)));
    } else {
      durable.then(() => done(null), (error) => done(asError(error)));
    }
  };
}
