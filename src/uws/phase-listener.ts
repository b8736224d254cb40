// LISTEN/NOTIFY for the whole process on ONE connection per database: the UWS job channel (see
// migrations/000002_uws.sql) wakes blocked WAIT requests, and the engine's and notifier's channels ride
// on the same connection. It reconnects when the link drops and then wakes every waiter to re-read.
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

interface Member {
  channel: string;
  onPayload(payload: string): void;
  /** After a reconnect we cannot know what was missed. */
  onReconnect(): void;
}

/** The process's single LISTEN connection to one database, shared by every listener on it. */
class SharedConnection {
  private client: pg.Client | null = null;
  private members = new Set<Member>();
  private listening = new Set<string>();
  private backoff = 100;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  isConnected = false;
  readonly firstReady: Promise<void>;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly log: Logger,
    private readonly maxBackoffMs: number,
    private readonly onEmpty: () => void,
  ) {
    this.firstReady = this.connect().catch((err) => {
      if (!this.closed) this.scheduleRetry();
      throw err;
    });
    this.firstReady.catch(() => {});
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ ...this.config, application_name: 'drsoda-listen', keepAlive: true });
    c.on('notification', (n) => {
      if (!n.payload) return;
      for (const m of this.members) if (m.channel === n.channel) m.onPayload(n.payload);
    });
    c.on('error', (err) => this.log.warn({ err: err.message }, 'listener connection error'));
    c.on('end', () => {
      if (this.client !== c) return;
      this.client = null;
      this.isConnected = false;
      if (this.closed) return;
      this.log.warn('listener disconnected; reconnecting');
      this.scheduleRetry();
    });
    const channels = new Set([...this.members].map((m) => m.channel));
    try {
      await c.connect();
      for (const ch of channels) await c.query(`listen ${pg.escapeIdentifier(ch)}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await c.end().catch(() => {});
      return;
    }
    this.client = c;
    this.listening = channels;
    this.isConnected = true;
    this.backoff = 100;
    // Channels added while connecting.
    for (const m of this.members) await this.ensureListening(m.channel);
    for (const m of this.members) m.onReconnect();
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.connect().catch((err) => {
        this.log.warn({ err: (err as Error).message, retryMs: this.backoff }, 'listener reconnect failed');
        this.backoff = Math.min(this.backoff * 2, this.maxBackoffMs);
        if (!this.closed) this.scheduleRetry();
      });
    }, this.backoff);
  }

  private async ensureListening(channel: string): Promise<void> {
    if (!this.client || this.listening.has(channel)) return;
    this.listening.add(channel);
    await this.client.query(`listen ${pg.escapeIdentifier(channel)}`).catch((err) => {
      this.listening.delete(channel);
      throw err;
    });
  }

  /** Resolves when the member's channel is being listened to. */
  async add(m: Member): Promise<void> {
    this.members.add(m);
    await this.firstReady;
    await this.ensureListening(m.channel);
  }

  async remove(m: Member): Promise<void> {
    this.members.delete(m);
    if (this.members.size) return;
    this.closed = true;
    this.onEmpty();
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    this.isConnected = false;
    if (c) await c.end().catch(() => {});
  }
}

const connections = new Map<string, SharedConnection>();

function connectionKey(c: pg.ClientConfig): string {
  return JSON.stringify([c.connectionString, c.host, c.port, c.database, c.user]);
}

export function createPhaseListener(o: ListenerOptions): PhaseListener {
  const channel = o.channel ?? 'uws_job';
  const key = connectionKey(o.clientConfig);
  let shared = connections.get(key);
  if (!shared) {
    shared = new SharedConnection(o.clientConfig, o.log, o.maxBackoffMs ?? 5000, () => connections.delete(key));
    connections.set(key, shared);
  }
  const conn = shared;
  const waiters = new Map<string, Set<() => void>>();
  const subscribers = new Set<(e: PhaseEvent) => void>();
  let closed = false;

  const wake = (jobId: string) => {
    const set = waiters.get(jobId);
    if (!set) return;
    waiters.delete(jobId);
    for (const cb of set) cb();
  };
  const wakeAll = () => {
    for (const id of [...waiters.keys()]) wake(id);
  };
  const member: Member = {
    channel,
    onPayload(payload) {
      const [jobId, phase] = payload.split(' ');
      wake(jobId);
      for (const s of subscribers) s({ jobId, phase });
    },
    onReconnect: wakeAll,
  };
  const ready = conn.add(member);
  ready.catch(() => {});

  return {
    ready: () => ready,
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
    connected: () => !closed && conn.isConnected,
    async close() {
      if (closed) return;
      closed = true;
      wakeAll();
      await conn.remove(member);
    },
  };
}
