/**
 * Writes that read, check and append (a rule's next version, a campaign's `start`, a firmware's
 * name and version) run one at a time per key in this process, so two concurrent requests cannot
 * both pass the check. Several API replicas are not serialised by this (documented per route).
 */
export function oneAtATimePerKey(): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => {});
    tails.set(key, tail);
    tail.then(() => tails.get(key) === tail && tails.delete(key));
    return run;
  };
}
