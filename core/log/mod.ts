/**
 * @module
 * The EventLog port (a partitioned log with consumer groups, in the shape of Kafka) and the
 * shared local implementation that the embedded SQLite log and the in-memory fake build on.
 */
export {
  type AppendAck,
  type ConsumeOptions,
  type EventLog,
  type LogBatch,
  type LogConsumer,
  type LogMessage,
  type LogRecord,
  partitionForKey,
  type PartitionLag,
  type PartitionOffset,
  type PartitionOffsets,
  type ReplayOptions,
  type StartPosition,
  type TopicSpec,
} from "./event_log.ts";
export { createLocalEventLog, type LocalEventLogOptions } from "./local_log.ts";
export type { LocalLogStorage, StoredMessage } from "./local_log_storage.ts";
export { oldestRecordTime } from "./oldest_record.ts";
