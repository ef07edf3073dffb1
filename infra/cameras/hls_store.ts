/**
 * The relays' HLS output under `<data dir>/cameras/<camera id>/`: `live.m3u8` and its segments
 * (written by ffmpeg), `index.ndjson` (one line per recorded segment: name, wall-clock start,
 * duration; appended by the supervisor as segments appear in the live playlist, so a segment is
 * indexed once even across restarts), and `relay.pid` (the relay of the last run, so a restarted
 * supervisor can end a relay an earlier crash left behind). Retention deletes whole segments
 * older than the camera's hours, oldest first, rewriting the index atomically.
 */
import {
  type CameraMedia,
  type MediaFile,
  parsePlaylist,
  type RecordedSegment,
} from "../../core/cameras/mod.ts";

const SEGMENT = /^[0-9]{1,20}-[0-9]{1,20}\.ts$/;
const CAMERA_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export interface HlsStore extends CameraMedia {
  root: string;
  /** The camera's directory, created when missing. */
  prepare(cameraId: string): Promise<string>;
  /** Adds the live playlist's segments not indexed yet; resolves with how many. */
  indexNewSegments(cameraId: string): Promise<number>;
  /** Deletes recorded segments that ended before `olderThan` (epoch ms); resolves with how many. */
  sweep(cameraId: string, olderThan: number): Promise<number>;
  /** Deletes the camera's directory (live output and recordings). */
  remove(cameraId: string): Promise<void>;
  /** The camera ids that have a directory. */
  cameraIds(): Promise<string[]>;
  writePid(cameraId: string, pid: number): Promise<void>;
  /** Ends the relay a previous run left behind, if it is still alive (a real ffmpeg of that camera). */
  killStrayRelay(cameraId: string): Promise<boolean>;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function parseIndex(text: string | undefined): RecordedSegment[] {
  if (!text) return [];
  const out: RecordedSegment[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const s = JSON.parse(line) as RecordedSegment;
      if (typeof s.name === "string" && SEGMENT.test(s.name) && Number.isFinite(s.start)) out.push(s);
    } catch {
      // a line cut by a crash mid-append: skipped
    }
  }
  return out;
}

export function createHlsStore(root: string): HlsStore {
  const dirOf = (id: string) => {
    if (!CAMERA_ID.test(id)) throw new TypeError(`Invalid camera id "${id.slice(0, 140)}"`);
    return `${root}/${id}`;
  };
  /** Names indexed per camera, loaded from its index on first use. */
  const indexed = new Map<string, Set<string>>();
  const indexedOf = async (id: string) => {
    let names = indexed.get(id);
    if (!names) {
      names = new Set(parseIndex(await readText(`${dirOf(id)}/index.ndjson`)).map((s) => s.name));
      indexed.set(id, names);
    }
    return names;
  };
  return {
    root,
    async prepare(id) {
      const dir = dirOf(id);
      await Deno.mkdir(dir, { recursive: true });
      return dir;
    },
    async indexNewSegments(id) {
      const dir = dirOf(id);
      const live = await readText(`${dir}/live.m3u8`);
      if (!live) return 0;
      const names = await indexedOf(id);
      const fresh = parsePlaylist(live).filter((e) =>
        SEGMENT.test(e.uri) && e.programDateTime !== undefined && !names.has(e.uri)
      );
      if (fresh.length === 0) return 0;
      const lines = fresh.map((e) =>
        JSON.stringify({ name: e.uri, start: e.programDateTime, duration: e.duration })
      );
      await Deno.writeTextFile(`${dir}/index.ndjson`, `${lines.join("\n")}\n`, { append: true });
      for (const e of fresh) names.add(e.uri);
      return fresh.length;
    },
    async sweep(id, olderThan) {
      const dir = dirOf(id);
      const segments = parseIndex(await readText(`${dir}/index.ndjson`));
      const old = segments.filter((s) => s.start + s.duration * 1000 < olderThan);
      if (old.length === 0) return 0;
      const kept = segments.filter((s) => !old.includes(s));
      const draft = `${dir}/index.ndjson.${crypto.randomUUID()}.tmp`;
      await Deno.writeTextFile(draft, kept.map((s) => `${JSON.stringify(s)}\n`).join(""));
      await Deno.rename(draft, `${dir}/index.ndjson`);
      for (const s of old) await Deno.remove(`${dir}/${s.name}`).catch(() => {});
      return old.length;
    },
    async remove(id) {
      indexed.delete(id);
      await Deno.remove(dirOf(id), { recursive: true }).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    },
    async cameraIds() {
      const ids: string[] = [];
      try {
        for await (const entry of Deno.readDir(root)) {
          if (entry.isDirectory && CAMERA_ID.test(entry.name)) ids.push(entry.name);
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      return ids;
    },
    async writePid(id, pid) {
      await Deno.writeTextFile(`${dirOf(id)}/relay.pid`, `${pid}\n`);
    },
    async killStrayRelay(id) {
      const dir = dirOf(id);
      const pid = Number((await readText(`${dir}/relay.pid`))?.trim());
      if (!Number.isInteger(pid) || pid <= 1) return false;
      // Only a process whose command line writes this camera's playlist: a reused pid is left alone.
      const cmdline = (await readText(`/proc/${pid}/cmdline`))?.replaceAll("\0", " ");
      if (!cmdline?.includes(`${dir}/live.m3u8`)) return false;
      try {
        Deno.kill(pid, "SIGKILL");
        return true;
      } catch {
        return false;
      }
    },
    async readFile(id, name) {
      if (!CAMERA_ID.test(id) || (name !== "live.m3u8" && !SEGMENT.test(name))) return undefined;
      const path = `${dirOf(id)}/${name}`;
      try {
        if (name.endsWith(".m3u8")) {
          const bytes = await Deno.readFile(path);
          return { body: bytes, size: bytes.length, contentType: "application/vnd.apple.mpegurl" };
        }
        const file = await Deno.open(path);
        const { size } = await file.stat();
        return { body: file.readable, size, contentType: "video/mp2t" } satisfies MediaFile;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
    },
    async recordedSegments(id) {
      if (!CAMERA_ID.test(id)) return [];
      return parseIndex(await readText(`${dirOf(id)}/index.ndjson`));
    },
  };
}
