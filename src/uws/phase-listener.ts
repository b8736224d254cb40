// One LISTEN connection per process for the uws_job channel (see migrations/000002_uws.sql): wakes the
// blocked WAIT requests of a job when any process changes its phase, and reconnects when the link drops.
import pg from 'pg';
import type { Logger } from '../logger.js';

export type PhaseEvent = { jobId: string; phase: string };

export interface PhaseListener {
  /** Resolves when LISTEN is active (first connection); rejects if the first connect fails. */
  ready(): Promise<void>;
  /**
   * Registers a callback for the job's next change. Register *before* re-reading the job, so a change
   * committed in between is not missed. Returns the unregister function.
   */
  onChange(jobId: string, cb: () => void): () => void;
  /** Every event for every job (the service uses it to stop local work of jobs aborted elsewhere). */
  subscribe(cb: (e: PhaseEvent) => void): () => void;
  connected(): boolean;
  close(): Promise<void>;
}

export interface ListenerOptions {
  /** Connection settings of the application's pool (a dedicated client is opened with them). */
  clientConfig: pg.ClientConfig;
  log: Logger;
  channel?: string;
  maxBackoffMs?: number;
}

export function createPhaseListener(o: ListenerOptions): PhaseListener {
  const channel = o.channel ?? 'uws_job';
  const waiters = new Map<string, Set<() => void>>();
  const subscribers = new Set<(e: PhaseEvent) => void>();
  let client: pg.Client | null = null;
  let isConnected = false;
  let closed = false;
  let backoff = 100;
  let retryTimer: NodeJS.Timeout | undefined;
  let firstReady: Promise<void>;

  const wake = (jobId: string) => {
    const set = waiters.get(jobId);
    if (!set) return;
    waiters.delete(jobId);
    for (const cb of set) cb();
  };
  // After a reconnect we cannot know what we missed: wake everyone; each waiter re-reads its job.
  const wakeAll = () => {
    for (const id of [...waiters.keys()]) wake(id);
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ ...o.clientConfig, application_name: 'drsoda-listen', keepAlive: true });
    c.on('notification', (n) => {
      if (n.channel !== channel || !n.payload) return;
      const [jobId, phase] = n.payload.split(' ');
      wake(jobId);
      for (const s of subscribers) s({ jobId, phase });
    });
    c.on('error', (err) => o.log.warn({ err: err.message }, 'uws listener connection error'));
    c.on('end', () => {
      if (client !== c) return;
      client = null;
      isConnected = false;
      if (closed) return;
      o.log.warn('uws listener disconnected; reconnecting');
      scheduleRetry();
    });
    try {
      await c.connect();
      await c.query(`listen ${channel}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    isConnected = true;
    backoff = 100;
    wakeAll();
  };

  const scheduleRetry = () => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      connect().catch((err) => {
        o.log.warn({ err: (err as Error).message, retryMs: backoff }, 'uws listener reconnect failed');
        backoff = Math.min(backoff * 2, o.maxBackoffMs ?? 5000);
        if (!closed) scheduleRetry();
      });
    }, backoff);
  };

  firstReady = connect().catch((err) => {
    if (!closed) scheduleRetry();
    throw err;
  });
  firstReady.catch(() => {});

  return {
    ready: () => firstReady,
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
    subscribe(cb) {
      subscribers.add(cb);
      return () => subscribers.delete(cb);
    },
    connected: () => isConnected,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      wakeAll();
      const c = client;
      client = null;
      isConnected = false;
      if (c) await c.end().catch(() => {});
    },
  };
}
