// The blocking part of WAIT (UWS 1.1 section 2.2.1.1): sleep until the job's phase changes, the time is
// up, the client goes away or the process shuts down. Holds no database connection while blocked.
import type { PhaseListener } from './phase-listener.js';

export interface WaitOptions {
  listener: PhaseListener;
  jobId: string;
  seconds: number;
  signal: AbortSignal;
  /** Re-reads the job after subscribing: true when it already changed (closes the subscribe race). */
  changed: () => Promise<boolean>;
}

/** Resolves when woken, timed out or aborted; never rejects. */
export function waitForChange(o: WaitOptions): Promise<void> {
  return new Promise<void>((resolve) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(timer);
      o.signal.removeEventListener('abort', finish);
      resolve();
    };
    const unsubscribe = o.listener.onChange(o.jobId, finish);
    const timer = setTimeout(finish, Math.min(o.seconds, 2 ** 31 / 1000 - 1) * 1000);
    if (o.signal.aborted) return finish();
    o.signal.addEventListener('abort', finish);
    o.changed().then(
      (c) => c && finish(),
      () => finish(),
    );
  });
}
