import assert from "node:assert/strict";
import { MongoNetworkError, MongoServerError } from "mongodb";
import { InfrastructureError, isRetriable } from "../../core/errors.ts";
import { mongoError } from "./_mongo_errors.ts";

Deno.test("mongoError() makes network errors, shutdown codes, a full disk and retryable labels retriable", () => {
  const labelled = new MongoServerError({ message: "write concern timed out", code: 64 });
  labelled.addErrorLabel("RetryableWriteError");
  const cases: Error[] = [
    new MongoNetworkError("connection 1 to 127.0.0.1:27017 closed"),
    new MongoServerError({ message: "The server is in quiesce mode and will shut down", code: 91 }),
    new MongoServerError({ message: "not primary", code: 10107 }),
    new MongoServerError({ message: "OutOfDiskSpace", code: 14031 }),
    labelled,
  ];
  for (const error of cases) {
    const mapped = mongoError(error, "write");
    assert.ok(mapped instanceof InfrastructureError && mapped.retriable, `${error.message}`);
    assert.equal(mapped.cause, error);
  }
});

Deno.test("mongoError() leaves a duplicate key or a validation failure as it is: the write is wrong", () => {
  for (const code of [11000, 121]) {
    const error = new MongoServerError({ message: `code ${code}`, code });
    assert.equal(mongoError(error, "write"), error);
    assert.equal(isRetriable(mongoError(error, "write")), false);
  }
  const plain = new TypeError("Cannot read properties of undefined");
  assert.equal(mongoError(plain, "write"), plain);
});
