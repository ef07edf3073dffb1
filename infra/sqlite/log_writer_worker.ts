/**
 * Worker-thread entry of the log writer (see log_writer_thread.ts): opens its own connection to
 * the log's database and runs each write it is sent, one at a time, in the order sent, answering
 * each in that order with its result or its error (message and whether a retry can help).
 */
/// <reference lib="deno.worker" />
import { InfrastructureError, isRetriable } from "../../core/errors.ts";
import { SqliteLogStorage } from "./sqlite_log_storage.ts";
import type { WriterReply, WriterRequest } from "./log_writer_thread.ts";

let storage: SqliteLogStorage | undefined;

function run(request: WriterRequest): unknown {
  if (request.type === "open") {
    storage = new SqliteLogStorage(request.path, request.options);
    return undefined;
  }
  if (!storage) throw new InfrastructureError("the log writer's database is not open", { retriable: true });
  switch (request.type) {
    case "append":
      return storage.append(request.topic, request.messages);
    case "deleteOlderThan":
      return storage.deleteOlderThan(request.topic, request.before, request.limit);
    case "applyRetention":
      return storage.applyRetention(request.options);
    case "close":
      storage.close();
      storage = undefined;
      return undefined;
  }
}

self.onmessage = ({ data }: MessageEvent<WriterRequest>) => {
  let reply: WriterReply;
  try {
    reply = { ok: true, result: run(data) };
  } catch (error) {
    reply = {
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      retriable: isRetriable(error),
    };
  }
  self.postMessage(reply);
};
