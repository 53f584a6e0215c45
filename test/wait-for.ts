// The one polling wait the tests share: waiting on a condition, not a fixed sleep (the machine is
// loaded and timing varies), bounded so that a condition that never holds fails the test with its name.

/** Resolves once `cond()` holds, checking every `pollMs`; rejects after `ms` naming `what`. */
export async function waitFor(what: string, cond: () => boolean, ms = 5000, pollMs = 5): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
