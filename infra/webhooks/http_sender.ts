/**
 * The `WebhookSender` over fetch: one POST per attempt, bounded by a timeout (default 10 s),
 * redirects not followed (a 3xx is a failure, as Standard Webhooks asks), the response body
 * discarded unread, and the target's address checked again just before sending (see
 * `address_guard.ts`). It never throws: every failure becomes an outcome with an `error`.
 */
import type { AttemptOutcome } from "../../core/webhooks/retry_schedule.ts";
import type { WebhookRequest, WebhookSender } from "../../core/webhooks/sender.ts";

export interface HttpSenderOptions {
  /** Per attempt, connection to response headers. Default 10,000 ms. */
  timeoutMs?: number;
  /** Why the URL may not be called now (e.g. it resolves to a private address), or undefined. */
  checkUrl?: (url: string) => Promise<string | undefined>;
}

const describe = (
  error: unknown,
) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export function createHttpWebhookSender(options: HttpSenderOptions = {}): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async send(request: WebhookRequest): Promise<AttemptOutcome> {
      const refused = await options.checkUrl?.(request.url);
      if (refused !== undefined) return { error: `refused: ${refused}` };
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      try {
        const response = await fetch(request.url, {
          method: "POST",
          headers: request.headers,
          body: request.body,
          redirect: "manual",
          signal,
        });
        // Only the status counts: the body is not read, so a huge or endless one costs nothing.
        await response.body?.cancel().catch(() => {});
        const retryAfter = response.headers.get("retry-after");
        return { status: response.status, ...(retryAfter === null ? {} : { retryAfter }) };
      } catch (error) {
        if (timeout.aborted) return { error: `timed out after ${timeoutMs} ms` };
        return { error: `request failed: ${describe(error).slice(0, 300)}` };
      }
    },
  };
}
