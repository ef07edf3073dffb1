import assert from "node:assert/strict";
import { lines } from "./backtest_client.ts";

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

Deno.test("lines() yields whole NDJSON lines however the chunks split them", async () => {
  const got: string[] = [];
  for await (const line of lines(streamOf('{"progress":', '{"percent":5}}\n\n{"res', 'ult":{}}\n', "{}"))) {
    got.push(line);
  }
  assert.deepEqual(got, ['{"progress":{"percent":5}}', '{"result":{}}', "{}"]);
});

Deno.test("lines() keeps a multi-byte character split across chunks", async () => {
  const bytes = new TextEncoder().encode('{"m":"é"}\n');
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.slice(0, 7));
      controller.enqueue(bytes.slice(7));
      controller.close();
    },
  });
  const got: string[] = [];
  for await (const line of lines(stream)) got.push(line);
  assert.deepEqual(got, ['{"m":"é"}']);
});
