// The blocking part of WAIT (UWS 1.1 section 2.2.1.1): sleep until the job's phase changes, the time is
// up, the client goes away or the process shuts down. Holds no database connection while blocked.
import type { PhaseWaiters } from './phase-waiters.js';

export interface WaitOptions {
  waiters: PhaseWaiters;
  jobId: string;
  seconds: number;
  signal: AbortSignal;
  /** Re-reads the job after subscribing: true when it already changed (closes the subscribe race). */
  changed: () => Promise<boolean>;
}

type Outcome = 'woken' | 'changed' | 'timeout' | 'aborted';

function waitOnce(o: WaitOptions, ms: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const finish = (why: Outcome) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onAbort = () => finish('aborted');
    const unsubscribe = o.waiters.onChange(o.jobId, () => finish('woken'));
    const timer = setTimeout(() => finish('timeout'), Math.min(ms, 2 ** 31 - 1));
    if (o.signal.aborted) return finish('aborted');
    o.signal.addEventListener('abort', onAbort);
    o.changed().then(
      (c) => c && finish('changed'),
      () => finish('changed'),
    );
  });
}

/**
 * Resolves when the phase changed, the time is up or the wait was aborted; never rejects. A wake-up
 * without a change (the listener reconnected and woke everyone to re-read) goes back to waiting.
 */
export async function waitForChange(o: WaitOptions): Promise<void> {
  const deadline = Date.now() + o.seconds * 1000;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    const outcome = await waitOnce(o, left);
    if (outcome !== 'woken') return;
    if (await o.changed().catch(() => true)) return;
  }
}
