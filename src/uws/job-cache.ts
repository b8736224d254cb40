// A per-process cache of what GET {job} and GET {job}/phase answer (owner, phase, version, rendered job
// document), so a polling client is answered without a database round trip. It is trusted only while the LISTEN
// connection hears uws_job_change (migration 000015), which announces every change of every job row as it commits,
// and while a heartbeat round trip on that connection keeps proving it current (fresh()); a caller that must see
// every change committed before its request reads after sync(). docs/uws.md#cached-job-documents.
import type { NotificationListener } from '../store/notification-listener.js';
import type { Phase } from '../domain/job.js';

export interface CachedJob {
  id: string;
  ownerId: string | null;
  phase: Phase;
  version: string;
  /** The rendered job document (UTF-8), once a GET {job} rendered it at this version. */
  document?: Buffer;
}

/** Taken before reading a job from the database; a fill whose ticket an invalidation overtook is dropped. */
export interface FillTicket {
  id: string;
  generation: number;
}

export interface JobCache {
  /** The entry, when the cache may be trusted now; undefined otherwise (the caller reads the database). */
  get(id: string): CachedJob | undefined;
  /**
   * Resolves true once every change committed before the call has reached the cache (a shared round trip on the
   * LISTEN connection, notification-listener.ts sync()); read with get() after it. False: read the database.
   */
  sync(): Promise<boolean>;
  /**
   * True when a round trip on the LISTEN connection that began at most maxLagMs ago has completed: every change
   * committed before then has reached the cache (later ones as their notifications arrive, normally within a
   * millisecond). False: read after sync().
   */
  fresh(): boolean;
  /** Take before the database read whose result will be stored. */
  ticket(id: string): FillTicket;
  /** Stores what a read begun at `ticket` returned, unless the job changed (or the cache stopped being trusted) since. */
  store(ticket: FillTicket, entry: CachedJob): void;
  /** This process changed the job: forget it now, and drop fills of it already under way. */
  forget(id: string): void;
  readonly size: number;
  close(): void;
}

const channel = 'uws_job_change';

export interface JobCacheOptions {
  maxEntries?: number;
  /** How often, while anything is cached, a round trip on the LISTEN connection proves it current. */
  heartbeatMs?: number;
  /** fresh() while the latest completed round trip began at most this long ago. */
  maxLagMs?: number;
}

export function createJobCache(listener: Pick<NotificationListener, 'subscribe' | 'onReconnect' | 'isListening' | 'sync' | 'lagMs'>, o: JobCacheOptions = {}): JobCache {
  const maxEntries = o.maxEntries ?? 4096;
  const heartbeatMs = o.heartbeatMs ?? 100;
  const maxLagMs = o.maxLagMs ?? 500;
  // Runs only while entries are kept: a process that serves no cached job sends nothing.
  let heartbeat: NodeJS.Timeout | undefined;
  const beat = () => {
    if (entries.size === 0) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    } else void listener.sync();
  };
  const entries = new Map<string, CachedJob>();
  // Every invalidation takes the next generation; `changedAt` keeps, per job, the generation of its last one (a
  // fill with an older ticket must not store), and `everything` the last forget-all. When changedAt grows large it
  // is folded into `everything`: fills under way are then dropped, which is always safe.
  let generation = 0;
  let everything = 0;
  const changedAt = new Map<string, number>();

  const forget = (id: string) => {
    generation++;
    if (id === '*') {
      everything = generation;
      entries.clear();
      changedAt.clear();
      return;
    }
    entries.delete(id);
    if (changedAt.size >= maxEntries) {
      everything = generation;
      changedAt.clear();
    } else changedAt.set(id, generation);
  };
  const offChange = listener.subscribe(channel, (e) => forget(e.jobId));
  // Notifications may have been missed while the connection was down: nothing cached before is trusted.
  const offReconnect = listener.onReconnect(() => forget('*'));
  const trusted = () => listener.isListening(channel);

  return {
    get(id) {
      if (!trusted()) {
        if (entries.size) forget('*');
        return undefined;
      }
      return entries.get(id);
    },
    sync: () => listener.sync(),
    fresh: () => trusted() && listener.lagMs() <= maxLagMs,
    ticket(id) {
      return { id, generation: trusted() ? generation : -1 };
    },
    store(t, entry) {
      const stale = t.generation < 0 || t.generation < everything || (changedAt.get(t.id) ?? -Infinity) > t.generation || !trusted();
      if (stale) return;
      const old = entries.get(entry.id);
      // Two fills of one version (the phase, then the document) merge; a newer version replaces an older one.
      if (old && old.version === entry.version) {
        old.document ??= entry.document;
        return;
      }
      if (old && BigInt(old.version) > BigInt(entry.version)) return;
      entries.delete(entry.id);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(entry.id, entry);
      if (!heartbeat) {
        heartbeat = setInterval(beat, heartbeatMs);
        heartbeat.unref();
        void listener.sync();
      }
    },
    forget,
    get size() {
      return entries.size;
    },
    close() {
      clearInterval(heartbeat);
      heartbeat = undefined;
      offChange();
      offReconnect();
      entries.clear();
    },
  };
}
