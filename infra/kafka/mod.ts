/**
 * @module
 * The Kafka adapter of the `EventLog` port (design §4): `createKafkaEventLog` connects through
 * kafkajs, checks that a broker really answers, and returns an `EventLog` that appends with an
 * idempotent acks=all producer, consumes in consumer groups with a commit after each handled
 * batch, and replays topics by offset or time. Needs `--allow-net --allow-env`.
 */
export { createKafkaEventLog, type KafkaEventLogOptions } from "./kafka_event_log.ts";
export { kafkaPartitionForKey } from "./kafka_producer.ts";
