/**
 * SSE resume tokens: the position of a live stream in every partition of every topic it reads,
 * as `[topicIndex, partition, nextOffset]` triples in base64url JSON. Resuming from a token reads
 * each partition from exactly where the stream was, so nothing is missed and nothing repeats.
 */

/** "topicIndex#partition" → next offset. */
export type Positions = Map<string, number>;

export const slot = (topicIndex: number, partition: number) => `${topicIndex}#${partition}`;

export function encodeToken(positions: Positions): string {
  const triples = [...positions].map(([key, offset]) => [...key.split("#").map(Number), offset]);
  return btoa(JSON.stringify(triples)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The positions of a token, or undefined for anything that is not one of ours. */
export function decodeToken(token: string, topicCount: number): Positions | undefined {
  try {
    const json = atob(token.replaceAll("-", "+").replaceAll("_", "/"));
    const triples: unknown = JSON.parse(json);
    if (!Array.isArray(triples) || triples.length > 10_000) return undefined;
    const positions: Positions = new Map();
    for (const triple of triples) {
      if (
        !Array.isArray(triple) || triple.length !== 3 ||
        !triple.every((n) => Number.isSafeInteger(n) && n >= 0)
      ) {
        return undefined;
      }
      const [topic, partition, offset] = triple as [number, number, number];
      if (topic >= topicCount) return undefined;
      positions.set(slot(topic, partition), offset);
    }
    return positions;
  } catch {
    return undefined;
  }
}

/**
 * The most events any partition of `from` lies behind `head`: what resuming from `from` would
 * replay in the worst partition. Partitions `from` does not name resume at the head.
 */
export function farthestBehind(from: Positions, head: Positions): number {
  let farthest = 0;
  for (const [key, end] of head) farthest = Math.max(farthest, end - (from.get(key) ?? end));
  return farthest;
}
