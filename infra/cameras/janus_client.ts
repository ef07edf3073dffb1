/**
 * A client of Janus' HTTP API (Janus 1.1): sessions, plugin handles, requests, the long poll that
 * delivers asynchronous events, and the streaming plugin's mountpoint requests. Every request
 * carries the API secret; mountpoint changes carry the streaming plugin's admin key.
 */

export interface JanusOptions {
  /** The API base, e.g. `http://127.0.0.1:8088/janus`. */
  url: string;
  /** `api_secret` of janus.jcfg; also used as the streaming plugin's `admin_key`. */
  secret: string;
  /** Bounds each plain request. Default 10 s. */
  timeoutMs?: number;
}

/** A JSON message of Janus. */
// deno-lint-ignore no-explicit-any
export type JanusMessage = Record<string, any>;

export class JanusError extends Error {}

export interface JanusHandle {
  sessionId: number;
  handleId: number;
  /** A plugin request; resolves with Janus' reply (`success` with plugindata, or `ack`). */
  message(body: JanusMessage, jsep?: { type: string; sdp: string }): Promise<JanusMessage>;
  /** Waits up to ~30 s for events of the session (also keeps it alive). */
  poll(maxEvents?: number, signal?: AbortSignal): Promise<JanusMessage[]>;
  destroy(): Promise<void>;
}

export interface JanusClient {
  /** `GET /info`: Janus answers, with its version. */
  info(): Promise<JanusMessage>;
  /** A new session with one handle attached to `plugin`. */
  attach(plugin: string): Promise<JanusHandle>;
  /** Destroys a session by id (e.g. a WHEP session of another API replica). */
  destroySession(sessionId: number): Promise<void>;
  options: JanusOptions;
}

export function createJanusClient(options: JanusOptions): JanusClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const request = async (path: string, body: JanusMessage): Promise<JanusMessage> => {
    let response: Response;
    try {
      response = await fetch(`${options.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...body, transaction: crypto.randomUUID(), apisecret: options.secret }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new JanusError(`Janus at ${options.url} does not answer: ${(cause as Error).message}`, { cause });
    }
    const reply = await response.json() as JanusMessage;
    if (reply.janus === "error") {
      throw new JanusError(`Janus refused ${body.janus}: ${reply.error?.reason ?? "unknown error"}`);
    }
    return reply;
  };
  const destroySession = async (sessionId: number) => {
    await request(`/${sessionId}`, { janus: "destroy" }).catch(() => {
      // Gone already (timed out, or destroyed by another replica): what was wanted.
    });
  };
  return {
    options,
    async info() {
      const response = await fetch(`${options.url}/info`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new JanusError(`Janus /info answered ${response.status}`);
      return await response.json();
    },
    destroySession,
    async attach(plugin) {
      const sessionId = (await request("", { janus: "create" })).data.id as number;
      let handleId: number;
      try {
        handleId = (await request(`/${sessionId}`, { janus: "attach", plugin })).data.id as number;
      } catch (error) {
        await destroySession(sessionId);
        throw error;
      }
      return {
        sessionId,
        handleId,
        message: (body, jsep) =>
          request(`/${sessionId}/${handleId}`, { janus: "message", body, ...(jsep ? { jsep } : {}) }),
        async poll(maxEvents = 10, signal) {
          const response = await fetch(
            `${options.url}/${sessionId}?maxev=${maxEvents}&apisecret=${encodeURIComponent(options.secret)}`,
            { ...(signal ? { signal } : {}) },
          );
          const body = await response.json();
          return Array.isArray(body) ? body : [body];
        },
        destroy: () => destroySession(sessionId),
      };
    },
  };
}

/** The streaming plugin's reply data of a synchronous request, or a `JanusError` with its reason. */
export function streamingData(reply: JanusMessage): JanusMessage {
  const data = reply.plugindata?.data;
  if (!data) throw new JanusError(`Janus gave no plugin data (${reply.janus})`);
  if (data.error) throw new JanusError(`Janus streaming: ${data.error} (code ${data.error_code})`);
  return data;
}
