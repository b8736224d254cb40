// Delivers the notification outbox (migrations/000005_ops.sql): woken by LISTEN notification and by a timer at
// the next due retry, it claims due rows (SKIP LOCKED + lease, so several API processes share the work and a
// crashed one's rows are retried), calls the webhook or sends the e-mail, and backs off exponentially on failure.
import type { NotifySettings } from '../config.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { getJob } from '../store/job-store.js';
import { claimNotifications, markNotificationDelivered, markNotificationFailed, nextNotificationDue, pruneNotifications, type NotificationRow } from '../store/notification-store.js';
import type { NotificationListener } from '../store/notification-listener.js';
import { publishNotification } from './events.js';
import { jobMail, type Mailer } from './mailer.js';
import { postWebhook } from './webhook.js';

export interface NotifierOptions {
  pool: Pool;
  /** The process's LISTEN connection: the outbox trigger wakes delivery (not closed here). */
  listener: NotificationListener;
  log: Logger;
  /** Absolute URL of a job of this kind, or null for kinds with no public URL (hidden sync jobs). */
  jobUrl: (kind: string, jobId: string) => string | null;
  mailer?: Mailer;
  /** Attempts, backoff, timeout, webhook address policy and signing key, and how long rows are kept (NOTIFY_*). */
  notify: NotifySettings;
  /** Longest sleep between checks when nothing is due (a lost NOTIFY is picked up then). */
  idleMs?: number;
}

export interface Notifier {
  /** Delivers what is due now; resolves when this pass is done (tests call it; the loop runs it too). */
  runOnce(): Promise<number>;
  close(): Promise<void>;
}

const batch = 20;
const maxBackoffS = 3600;

export function createNotifier(o: NotifierOptions): Notifier {
  const { maxAttempts, retryBaseS, timeoutMs, allowPrivate, webhookSecret, retentionS } = o.notify;
  const log = o.log.child({ component: 'notify' });
  const idleMs = o.idleMs ?? 30000;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let lastPrune = 0;

  async function deliver(n: NotificationRow): Promise<{ ok: boolean; retry: boolean; detail: string }> {
    const jobUrl = o.jobUrl(n.kind, n.jobId);
    if (n.channel === 'webhook') {
      const event = {
        event: n.id, jobId: n.jobId, runId: n.runId, kind: n.kind, phase: n.phase, previousPhase: n.previousPhase,
        time: n.eventTime.toISOString(), job: jobUrl, attempt: n.attempts,
      };
      return postWebhook(n.target, event, { timeoutMs, allowPrivate, secret: webhookSecret });
    }
    if (!o.mailer) return { ok: false, retry: false, detail: 'this service has no SMTP_URL' };
    const job = await getJob(o.pool, n.jobId).catch(() => null);
    const mail = jobMail({ jobId: n.jobId, runId: n.runId, phase: n.phase, jobUrl }, job);
    try {
      await o.mailer.send(n.target, mail.subject, mail.text);
      return { ok: true, retry: false, detail: 'sent' };
    } catch (err) {
      const e = err as { responseCode?: number; message: string };
      // 5xx SMTP replies (no such mailbox, relay denied) are permanent; 4xx and connection errors are not.
      return { ok: false, retry: !(e.responseCode && e.responseCode >= 500), detail: e.message.slice(0, 300) };
    }
  }

  async function pass(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const due = await claimNotifications(o.pool, batch, Math.ceil(timeoutMs / 1000) * 2 + 5);
      if (!due.length) break;
      await Promise.all(
        due.map(async (n) => {
          const r = await deliver(n).catch((err: Error) => ({ ok: false, retry: true, detail: err.message }));
          const l = { notificationId: n.id, jobId: n.jobId, channel: n.channel, phase: n.phase, attempt: n.attempts };
          if (r.ok) {
            await markNotificationDelivered(o.pool, n.id);
            delivered++;
            publishNotification({ channel: n.channel, outcome: 'delivered' });
            log.info({ ...l, detail: r.detail }, 'notification delivered');
            return;
          }
          const retryS = r.retry && n.attempts < maxAttempts ? Math.min(maxBackoffS, retryBaseS * 2 ** (n.attempts - 1)) : null;
          const state = await markNotificationFailed(o.pool, n.id, r.detail, retryS);
          publishNotification({ channel: n.channel, outcome: state === 'pending' ? 'retry' : 'failed' });
          log.warn({ ...l, detail: r.detail, retryS }, state === 'pending' ? 'notification failed; will retry' : 'notification failed for good');
        }),
      );
    }
    if (Date.now() - lastPrune > 3600_000) {
      lastPrune = Date.now();
      const pruned = await pruneNotifications(o.pool, retentionS);
      if (pruned) log.info({ pruned }, 'old notifications removed');
    }
    return delivered;
  }

  /** Runs passes until no wake-up came in meanwhile, then sleeps until the next due retry. */
  function kick(): Promise<number> {
    if (closed) return Promise.resolve(0);
    if (running) {
      again = true;
      return running;
    }
    clearTimeout(timer);
    running = (async () => {
      let n = 0;
      try {
        do {
          again = false;
          n += await pass();
        } while (again && !closed);
        const next = await nextNotificationDue(o.pool);
        schedule(next ? Math.max(0, next.getTime() - Date.now()) + 20 : idleMs);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'notification pass failed; retrying');
        schedule(Math.min(idleMs, 5000));
      } finally {
        running = undefined;
      }
      return n;
    })();
    return running;
  }

  function schedule(ms: number): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void kick(), Math.min(ms, idleMs));
    timer.unref();
  }

  const unsubscribe = o.listener.subscribe('notification', () => void kick());
  o.listener.ready().then(
    () => void kick(),
    (err) => log.warn({ err: (err as Error).message }, 'notification listener could not connect yet; retrying'),
  );

  return {
    runOnce: kick,
    async close() {
      closed = true;
      clearTimeout(timer);
      unsubscribe();
      await running?.catch(() => 0);
      o.mailer?.close();
    },
  };
}
