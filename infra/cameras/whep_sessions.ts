/**
 * WHEP sessions on Janus (the `WhepGateway` port): each viewer gets a Janus session watching the
 * camera's mountpoint, negotiated through the offer bridge (core/cameras/whep_bridge.ts). The
 * session id in the WHEP resource URL is the Janus session id, so any API replica can end it.
 * This process long-polls the sessions it opened: that keeps them alive while the viewer is
 * there, and a `hangup` (the browser went away without DELETE) ends them; were this process to
 * die, Janus' session timeout ends them.
 */
import {
  bridgeOffers,
  CameraUnavailableError,
  pickStream,
  type WhepGateway,
  WhepOfferError,
} from "../../core/cameras/mod.ts";
import { type JanusClient, JanusError, type JanusHandle, type JanusMessage } from "./janus_client.ts";
import { mountpointId, mountpointStreams, STREAMING_PLUGIN } from "./mountpoints.ts";

/** Janus' streaming error for "no such mountpoint". */
const NO_SUCH_MOUNTPOINT = 455;
/** How long Janus may take to make its offer. */
const OFFER_TIMEOUT_MS = 10_000;
/** Viewer sessions one process holds at most (each is a Janus session and a long poll here). */
const DEFAULT_MAX_SESSIONS = 256;

export interface WhepSessions extends WhepGateway {
  /** Sessions this process holds. */
  size(): number;
  closeAll(): Promise<void>;
}

export function createWhepSessions(
  janus: JanusClient,
  options: { mountpointPrefix: string; payloadTypes: readonly number[]; maxSessions?: number },
): WhepSessions {
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const streams = mountpointStreams(options.payloadTypes);
  const sessions = new Map<string, { cameraId: string; handle: JanusHandle; abort: AbortController }>();

  const end = async (sessionId: string) => {
    const session = sessions.get(sessionId);
    sessions.delete(sessionId);
    session?.abort.abort();
    await janus.destroySession(Number(sessionId));
  };

  /** Long-polls the session until it hangs up or is ended. */
  const watch = async (sessionId: string, handle: JanusHandle, signal: AbortSignal) => {
    while (!signal.aborted) {
      let events: JanusMessage[];
      try {
        events = await handle.poll(10, signal);
      } catch {
        break; // aborted, or Janus is gone
      }
      if (events.some((e) => e.janus === "hangup" || e.janus === "detached" || e.error?.code === 458)) break;
    }
    if (!signal.aborted) await end(sessionId);
  };

  const offerOf = async (handle: JanusHandle): Promise<string> => {
    const deadline = Date.now() + OFFER_TIMEOUT_MS;
    while (Date.now() < deadline) {
      for (const event of await handle.poll(10, AbortSignal.timeout(deadline - Date.now()))) {
        const data = event.plugindata?.data;
        if (data?.error_code === NO_SUCH_MOUNTPOINT) {
          throw new CameraUnavailableError("The camera is offline");
        }
        if (data?.error) throw new JanusError(`Janus streaming: ${data.error}`);
        if (event.jsep?.type === "offer") return event.jsep.sdp as string;
      }
    }
    throw new CameraUnavailableError("The WebRTC gateway made no offer in time");
  };

  return {
    size: () => sessions.size,
    async open(cameraId, offer) {
      const stream = pickStream(offer, streams);
      // However many offers viewers send, the sessions (and their polls) stay bounded.
      if (sessions.size >= maxSessions) {
        throw new CameraUnavailableError(`Too many live viewers on this server (${maxSessions}); try HLS`);
      }
      let handle: JanusHandle;
      try {
        handle = await janus.attach(STREAMING_PLUGIN);
      } catch (error) {
        throw new CameraUnavailableError(`The WebRTC gateway is unavailable: ${(error as Error).message}`);
      }
      const sessionId = String(handle.sessionId);
      try {
        const id = mountpointId(options.mountpointPrefix, cameraId);
        const watched = await handle.message({ request: "watch", id, media: [stream.mid] });
        if (watched.plugindata?.data?.error_code === NO_SUCH_MOUNTPOINT) {
          throw new CameraUnavailableError("The camera is offline");
        }
        const janusOffer = await offerOf(handle);
        const { forViewer, forJanus } = bridgeOffers(offer, janusOffer, stream, sessionId);
        const started = await handle.message({ request: "start" }, { type: "answer", sdp: forJanus });
        if (started.plugindata?.data?.error) {
          throw new JanusError(`Janus streaming: ${started.plugindata.data.error}`);
        }
        const abort = new AbortController();
        sessions.set(sessionId, { cameraId, handle, abort });
        // Its end (a failed destroy when Janus is gone) must not become an unhandled rejection.
        watch(sessionId, handle, abort.signal).catch(() => {});
        return { sessionId, answer: forViewer };
      } catch (error) {
        await handle.destroy();
        if (error instanceof WhepOfferError || error instanceof CameraUnavailableError) throw error;
        throw new CameraUnavailableError(`The WebRTC gateway failed: ${(error as Error).message}`);
      }
    },
    async close(cameraId, sessionId) {
      if (!/^[0-9]{1,20}$/.test(sessionId)) return false;
      const session = sessions.get(sessionId);
      if (session && session.cameraId !== cameraId) return false;
      // Not held here: opened by another replica (or already gone); Janus decides.
      await end(sessionId);
      return true;
    },
    async closeAll() {
      await Promise.all([...sessions.keys()].map(end));
    },
  };
}
