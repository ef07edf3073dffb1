/** Envelope times may carry an offset; rows hold the canonical UTC form so they compare as strings. */
export function canonicalTime(time: string): string {
  return new Date(time).toISOString();
}
