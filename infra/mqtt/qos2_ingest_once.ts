/**
 * Ingest-once for QoS 2 uplinks. aedes recognises a retransmitted QoS 2 PUBLISH (same packet id,
 * before PUBREL; MQTT-4.3.3-2) only after `authorizePublish`, when it stores the packet — but the
 * gateway ingests inside `authorizePublish`, so without this a retransmission would be appended
 * to the log a second time.
 *
 * A packet id counts as received from the start of its ingest: a copy arriving while the first
 * is still being appended waits for that append and shares its outcome, so its PUBREC, too,
 * means "in the log", and a failed append fails both. Once aedes has stored the packet (its
 * `published` hook runs after the store), aedes' incoming store answers for the id, until PUBREL
 * removes it and the id may carry a new message; that store also covers a device that resends
 * after reconnecting to its persistent session.
 */

export type Done = (error: Error | null) => void;

export interface Qos2IngestOnce<Client extends object> {
  /** Runs `ingest` for the first copy of `messageId`; any other copy gets the first one's outcome. */
  receive(client: Client, messageId: number, ingest: (done: Done) => void, done: Done): void;
  /** aedes now holds the packet in its incoming store (call from the `published` hook). */
  stored(client: Client, messageId: number): void;
}

/** `isStored` asks aedes' incoming store (`persistence.incomingGetPacket`). */
export function createQos2IngestOnce<Client extends object>(
  isStored: (client: Client, messageId: number) => Promise<boolean>,
): Qos2IngestOnce<Client> {
  // Packet ids between the start of their ingest and aedes storing them; dies with the client.
  const ingesting = new WeakMap<Client, Map<number, Promise<Error | null>>>();

  return {
    receive(client, messageId, ingest, done) {
      let ids = ingesting.get(client);
      if (!ids) ingesting.set(client, ids = new Map());
      const first = ids.get(messageId);
      if (first) {
        first.then(done);
        return;
      }
      // Set synchronously: aedes dispatches every packet of a read at once, so a copy may come
      // in the same tick.
      const outcome = isStored(client, messageId).catch(() => false).then((seen) => {
        if (seen) {
          ids.delete(messageId);
          return null;
        }
        return new Promise<Error | null>((resolve) => ingest(resolve)).then((error) => {
          if (error) ids.delete(messageId);
          return error;
        });
      });
      ids.set(messageId, outcome);
      outcome.then(done);
    },
    stored(client, messageId) {
      ingesting.get(client)?.delete(messageId);
    },
  };
}
