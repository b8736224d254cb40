// LISTEN/NOTIFY for a whole process on ONE connection: the channels the database triggers announce on
// (migrations 000002, 000004, 000005, 000011, 000015), each with a typed payload. The composition root makes one listener per
// process and database and hands it to the job service, the engine's worker and the notifier. It reconnects
// when the link drops and then tells every subscriber to re-read, since notifications may have been missed.
import pg from 'pg';
import type { Logger } from '../logger.js';

/** What each channel's trigger announces (payload text parsed by `parsers` below). */
export interface ChannelEvents {
  /** uws_job: a job changed phase, or was deleted (phase 'DELETED'). */
  uws_job: { jobId: string; phase: string };
  /** uws_job_change: any change of a job row, or its delete; jobId '*' after a truncate (every job). */
  uws_job_change: { jobId: string };
  /** api_token: a token was revoked or deleted (hex of its hash), or '*' after a truncate. */
  api_token: { hashHex: string };
  /** step_ready: a step became ready to claim. */
  step_ready: { stepId: string };
  /** step_state: a step changed state (e.g. 'cancelled' by another process). */
  step_state: { stepId: string; state: string };
  /** notification: a webhook or e-mail is due in the outbox. */
  notification: { notificationId: string };
  /** frame_change: a statement changed the frame index (its operation: INSERT, UPDATE, DELETE, TRUNCATE). */
  frame_change: { op: string };
}

export type Channel = keyof ChannelEvents;

const firstWord = (p: string) => p.split(' ', 1)[0];
const secondWord = (p: string) => p.slice(p.indexOf(' ') + 1);

const parsers: { [C in Channel]: (payload: string) => ChannelEvents[C] } = {
  uws_job: (p) => ({ jobId: firstWord(p), phase: secondWord(p) }),
  uws_job_change: (p) => ({ jobId: p }),
  api_token: (p) => ({ hashHex: p }),
  step_ready: (p) => ({ stepId: p }),
  step_state: (p) => ({ stepId: firstWord(p), state: secondWord(p) }),
  notification: (p) => ({ notificationId: p }),
  frame_change: (p) => ({ op: p }),
};

export interface NotificationListener {
  /** Resolves when the connection is up and every channel subscribed so far is listened to. */
  ready(): Promise<void>;
  /** Subscribe *before* re-reading state, so a change committed in between is not missed. */
  subscribe<C extends Channel>(channel: C, cb: (e: ChannelEvents[C]) => void): () => void;
  /** Called after every reconnect: events may have been missed, so re-read what you wait for. */
  onReconnect(cb: () => void): () => void;
  /**
   * True while the connection is up and LISTEN on the channel has completed: every notification committed from
   * now on will arrive. False from the moment the connection is known lost (a cache fed by the channel must then
   * stop trusting itself until onReconnect).
   */
  isListening(channel: Channel): boolean;
  /**
   * Resolves true once every notification of a transaction committed before this call has been delivered to the
   * subscribers: a round trip on the LISTEN connection (PostgreSQL sends a session its pending notifications
   * before it reports ready for the next query) that began after the call. Calls waiting at the same time share
   * one round trip. False when the connection is down (nothing can be promised then).
   */
  sync(): Promise<boolean>;
  /**
   * Milliseconds since the latest completed sync() round trip began on the current connection (every notification
   * committed before that instant has been delivered); Infinity when there was none or the connection is down.
   */
  lagMs(): number;
  /** Ends the connection; subscribers get nothing more. */
  close(): Promise<void>;
}

export interface NotificationListenerOptions {
  /** Connection settings of the application's pool (a dedicated client is opened with them). */
  clientConfig: pg.ClientConfig;
  log: Logger;
  maxBackoffMs?: number;
}

type Subscriber = { channel: Channel; cb: (e: never) => void };

export function createNotificationListener(o: NotificationListenerOptions): NotificationListener {
  const log = o.log.child({ component: 'listen' });
  const maxBackoffMs = o.maxBackoffMs ?? 5000;
  const subscribers = new Set<Subscriber>();
  const reconnectCallbacks = new Set<() => void>();
  let client: pg.Client | null = null;
  let listening = new Set<Channel>();
  // Channels whose LISTEN statement has completed on the current connection.
  let confirmed = new Set<Channel>();
  let backoffMs = 100;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;
  let everConnected = false;

  const wanted = () => new Set([...subscribers].map((s) => s.channel));

  function deliver(channel: string, payload: string | undefined): void {
    if (!payload || !(channel in parsers)) return;
    const event = parsers[channel as Channel](payload);
    for (const s of subscribers) if (s.channel === channel) (s.cb as (e: unknown) => void)(event);
  }

  // One statement at a time on the connection: a subscribe during connect must queue behind the LISTENs in
  // flight (pg deprecates overlapping queries on one client and will refuse them in pg 9).
  let statements: Promise<unknown> = Promise.resolve();
  function listen(c: pg.Client, channel: Channel): Promise<void> {
    if (listening.has(channel)) return Promise.resolve();
    listening.add(channel);
    const p = statements.then(() => c.query(`listen ${pg.escapeIdentifier(channel)}`)).then(
      () => {
        if (listening.has(channel)) confirmed.add(channel);
      },
      (err: unknown) => {
        listening.delete(channel);
        throw err;
      },
    );
    statements = p.catch(() => {});
    return p;
  }

  async function connect(): Promise<void> {
    const c = new pg.Client({ ...o.clientConfig, application_name: 'drsoda-listen', keepAlive: true });
    c.on('notification', (n) => deliver(n.channel, n.payload));
    c.on('error', (err) => log.warn({ err: err.message }, 'listener connection error'));
    c.on('end', () => {
      if (client !== c) return;
      client = null;
      confirmed = new Set();
      if (closed) return;
      log.warn('listener disconnected; reconnecting');
      scheduleRetry();
    });
    listening = new Set();
    statements = Promise.resolve();
    confirmed = new Set();
    try {
      await c.connect();
      for (const ch of wanted()) await listen(c, ch);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    backoffMs = 100;
    // Channels subscribed while connecting.
    for (const ch of wanted()) await listen(c, ch);
    if (everConnected) for (const cb of reconnectCallbacks) cb();
    everConnected = true;
  }

  function scheduleRetry(): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      connect().catch((err) => {
        log.warn({ err: (err as Error).message, retryMs: backoffMs }, 'listener reconnect failed');
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
        if (!closed) scheduleRetry();
      });
    }, backoffMs);
  }

  // Connected on first use: a process part that never subscribes (an API-only engine) holds no connection.
  let firstConnect: Promise<void> | undefined;
  const start = () =>
    (firstConnect ??= (() => {
      const p = connect().catch((err) => {
        if (!closed) scheduleRetry();
        throw err;
      });
      p.catch(() => {});
      return p;
    })());
  let pending: Promise<unknown> = Promise.resolve();
  let syncing: Promise<boolean> | undefined;
  let nextSync: Promise<boolean> | undefined;
  // performance.now() at which the latest completed round trip on `syncedClient` began.
  let syncedAt = -Infinity;
  let syncedClient: pg.Client | null = null;
  // A hung connection must not hold the callers: after a second they are told nothing can be promised.
  const roundTrip = async (): Promise<boolean> => {
    const c = client;
    if (!c) return false;
    let timer: NodeJS.Timeout | undefined;
    const began = performance.now();
    try {
      const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 1000)));
      const q = statements.then(() => c.query('select 1'));
      statements = q.catch(() => {});
      const ok = await Promise.race([q.then(() => client === c), late]);
      if (ok && (syncedClient !== c || began > syncedAt)) {
        syncedClient = c;
        syncedAt = began;
      }
      return ok;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    ready: async () => {
      await start();
      await pending;
    },
    subscribe(channel, cb) {
      const s: Subscriber = { channel, cb: cb as (e: never) => void };
      subscribers.add(s);
      void start();
      if (client && !listening.has(channel)) {
        const c = client;
        const p = listen(c, channel).catch((err) => log.warn({ err: (err as Error).message, channel }, 'listen failed; retried on reconnect'));
        pending = Promise.all([pending.catch(() => {}), p]);
      }
      return () => {
        subscribers.delete(s);
      };
    },
    onReconnect(cb) {
      reconnectCallbacks.add(cb);
      return () => {
        reconnectCallbacks.delete(cb);
      };
    },
    isListening: (channel) => client !== null && confirmed.has(channel),
    sync() {
      // A round trip already under way may have begun before this call: wait for the one after it.
      if (!syncing) syncing = roundTrip().finally(() => (syncing = undefined));
      else nextSync ??= syncing.then(() => {
        nextSync = undefined;
        return (syncing = roundTrip().finally(() => (syncing = undefined)));
      });
      return nextSync ?? syncing;
    },
    lagMs: () => (client !== null && syncedClient === client ? performance.now() - syncedAt : Infinity),
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      subscribers.clear();
      reconnectCallbacks.clear();
      const c = client;
      client = null;
      if (c) await c.end().catch(() => {});
    },
  };
}
