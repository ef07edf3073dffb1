/**
 * Reloading after a live event. The live stream follows the log directly, so an event often
 * arrives before the read models have projected it, and one reload would show the old rows.
 * Comparing with what was shown before is not enough either (a second event can land while the
 * first is still being projected), so this loads again a few times over three seconds, each
 * answer replacing the last; the projection normally catches up within the first two.
 */
const AT_MS = [0, 250, 750, 1500, 3000];

export async function reloadAfterEvent(load: () => Promise<unknown>): Promise<void> {
  let waited = 0;
  for (const at of AT_MS) {
    if (at > waited) await new Promise((resolve) => setTimeout(resolve, at - waited));
    waited = at;
    await load();
  }
}
