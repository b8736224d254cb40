// The notification outbox (migrations/000005_ops.sql): claiming due deliveries, recording outcomes, pruning.
import type { Queryable } from './db.js';

export type NotificationChannel = 'webhook' | 'email';
export type NotificationState = 'pending' | 'sending' | 'delivered' | 'failed';

export interface NotificationRow {
  id: number;
  jobId: string;
  kind: string;
  ownerId: string | null;
  runId: string | null;
  channel: NotificationChannel;
  target: string;
  phase: string;
  previousPhase: string | null;
  eventTime: Date;
  state: NotificationState;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
}

const cols = `id, job_id, kind, owner_id, run_id, channel, target, phase, previous_phase, event_time, state, attempts, last_error, delivered_at`;

function toRow(r: Record<string, unknown>): NotificationRow {
  return {
    id: Number(r.id),
    jobId: r.job_id as string,
    kind: r.kind as string,
    ownerId: r.owner_id as string | null,
    runId: r.run_id as string | null,
    channel: r.channel as NotificationChannel,
    target: r.target as string,
    phase: r.phase as string,
    previousPhase: r.previous_phase as string | null,
    eventTime: r.event_time as Date,
    state: r.state as NotificationState,
    attempts: r.attempts as number,
    lastError: r.last_error as string | null,
    deliveredAt: r.delivered_at as Date | null,
  };
}

/**
 * Takes up to `limit` due deliveries (pending and due, or sending with an expired lease: the process sending
 * them died) under a lease. A delivery waits while an earlier one of the same job to the same target is
 * unfinished, so a receiver hears a job's phases in order even across retries.
 */
export async function claimNotifications(db: Queryable, limit: number, leaseS: number): Promise<NotificationRow[]> {
  const { rows } = await db.query(
    `with due as (
       select n.id from notification n
        where ((n.state = 'pending' and n.next_attempt_at <= now()) or (n.state = 'sending' and n.lease_expires < now()))
          and not exists (select 1 from notification e
                           where e.job_id = n.job_id and e.channel = n.channel and e.target = n.target
                             and e.id < n.id and e.state in ('pending', 'sending'))
        order by n.id
        limit $1
        for update of n skip locked
     )
     update notification set state = 'sending', attempts = attempts + 1, lease_expires = now() + make_interval(secs => $2)
       from due where notification.id = due.id
     returning ${cols.split(', ').map((c) => `notification.${c}`).join(', ')}`,
    [limit, leaseS],
  );
  return rows.map(toRow).sort((a, b) => a.id - b.id);
}

export async function markNotificationDelivered(db: Queryable, id: number): Promise<void> {
  await db.query(`update notification set state = 'delivered', delivered_at = now(), lease_expires = null, last_error = null where id = $1`, [id]);
}

/** A failed attempt: retried after retryS, or failed for good when it was the last one allowed. */
export async function markNotificationFailed(db: Queryable, id: number, error: string, retryS: number | null): Promise<'pending' | 'failed'> {
  const { rows } = await db.query<{ state: 'pending' | 'failed' }>(
    `update notification set state = case when $3::float8 is null then 'failed' else 'pending' end,
            next_attempt_at = now() + make_interval(secs => coalesce($3::float8, 0)), lease_expires = null, last_error = left($2, 1000)
      where id = $1 returning state`,
    [id, error, retryS],
  );
  return rows[0]?.state ?? 'failed';
}

/** When the next delivery falls due (null when none is waiting), so the dispatcher can sleep until then. */
export async function nextNotificationDue(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `select min(case when state = 'pending' then next_attempt_at else lease_expires end) as at
       from notification where state in ('pending', 'sending')`,
  );
  return rows[0].at;
}

/** Deletes delivered and failed notifications older than the retention. */
export async function pruneNotifications(db: Queryable, olderThanS: number): Promise<number> {
  const r = await db.query(`delete from notification where state in ('delivered', 'failed') and event_time < now() - make_interval(secs => $1)`, [olderThanS]);
  return r.rowCount ?? 0;
}

export async function notificationsOfJob(db: Queryable, jobId: string): Promise<NotificationRow[]> {
  const { rows } = await db.query(`select ${cols} from notification where job_id = $1 order by id`, [jobId]);
  return rows.map(toRow);
}
