import assert from "node:assert/strict";
import { createHttpWebhookSender } from "./http_sender.ts";

/** A local receiver answering each request with `reply`; records what it got. */
function receiver(reply: (request: Request) => Response | Promise<Response>) {
  const got: { headers: Headers; body: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    got.push({ headers: request.headers, body: await request.text() });
    return reply(request);
  });
  return { url: `http://127.0.0.1:${server.addr.port}/hook`, got, close: () => server.shutdown() };
}

const request = (url: string) => ({
  url,
  headers: { "content-type": "application/json", "webhook-id": "e1" },
  body: '{"type":"x"}',
});

Deno.test("http sender posts the body and headers and reports the status and Retry-After", async () => {
  const r = receiver(() => new Response("busy", { status: 503, headers: { "retry-after": "120" } }));
  try {
    const outcome = await createHttpWebhookSender().send(request(r.url));
    assert.deepEqual(outcome, { status: 503, retryAfter: "120" });
    assert.equal(r.got[0]?.body, '{"type":"x"}');
    assert.equal(r.got[0]?.headers.get("webhook-id"), "e1");
  } finally {
    await r.close();
  }
});

Deno.test("http sender does not follow redirects: the 3xx is the outcome", async () => {
  const target = receiver(() => new Response("ok"));
  const r = receiver(() => new Response(null, { status: 302, headers: { location: target.url } }));
  try {
    assert.deepEqual(await createHttpWebhookSender().send(request(r.url)), { status: 302 });
    assert.equal(target.got.length, 0);
  } finally {
    await Promise.all([r.close(), target.close()]);
  }
});

Deno.test("http sender times out a slow receiver and reports a refused or dead target", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const slow = receiver(async () => (await held, new Response("late")));
  try {
    const outcome = await createHttpWebhookSender({ timeoutMs: 200 }).send(request(slow.url));
    assert.match((outcome as { error: string }).error, /timed out after 200 ms/);
  } finally {
    release();
    await slow.close();
  }
  const refused = await createHttpWebhookSender({ checkUrl: () => Promise.resolve("a loopback address") })
    .send(request("http://127.0.0.1:9/x"));
  assert.deepEqual(refused, { error: "refused: a loopback address" });
  const dead = await createHttpWebhookSender().send(request("http://127.0.0.1:9/x"));
  assert.match((dead as { error: string }).error, /request failed/);
});
