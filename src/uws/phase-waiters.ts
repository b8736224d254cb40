// Who waits for which job's next phase change (UWS WAIT): a callback per job, woken by the uws_job channel of
// the process's notification listener, and all of them at once after a reconnect (changes may have been missed).
import type { NotificationListener } from '../store/notification-listener.js';

export interface PhaseWaiters {
  /**
   * Registers a callback for the job's next change. Register *before* re-reading the job, so a change
   * committed in between is not missed. Returns the unregister function.
   */
  onChange(jobId: string, cb: () => void): () => void;
  /** Wakes every waiter and stops listening. */
  close(): void;
}

export function createPhaseWaiters(listener: NotificationListener): PhaseWaiters {
  const waiters = new Map<string, Set<() => void>>();
  const wake = (jobId: string) => {
    const set = waiters.get(jobId);
    if (!set) return;
    waiters.delete(jobId);
    for (const cb of set) cb();
  };
  const wakeAll = () => {
    for (const id of [...waiters.keys()]) wake(id);
  };
  const offChange = listener.subscribe('uws_job', (e) => wake(e.jobId));
  const offReconnect = listener.onReconnect(wakeAll);
  return {
    onChange(jobId, cb) {
      let set = waiters.get(jobId);
      if (!set) waiters.set(jobId, (set = new Set()));
      set.add(cb);
      return () => {
        const s = waiters.get(jobId);
        if (!s) return;
        s.delete(cb);
        if (!s.size) waiters.delete(jobId);
      };
    },
    close() {
      offChange();
      offReconnect();
      wakeAll();
    },
  };
}
