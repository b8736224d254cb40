// The hand-over lease of QUEUED jobs (migrations/000008_job_handover.sql, src/uws/handover.ts): renewing it, ending
// it, and taking over the jobs whose process stopped renewing it. Lease times are the database's clock (now()),
// as for step leases, so processes on hosts with skewed clocks agree on what has expired.
import type { Queryable } from './db.js';

/** Who holds a job's hand-over and for how long each renewal lasts. */
export interface HandoverLease {
  owner: string;
  leaseS: number;
}

/** SQL fragment setting a fresh hand-over held by $owner for $leaseS (parameters given by the caller). */
export const handoverColumns = (owner: string, leaseS: string) =>
  `handover_owner = ${owner}, handover_expires = now() + make_interval(secs => ${leaseS}), handover_attempts = handover_attempts + 1`;

/** Extends the leases owner still holds among ids; returns the ids renewed (a missing one was taken over). */
export async function renewHandovers(db: Queryable, owner: string, ids: string[], leaseS: number): Promise<string[]> {
  if (!ids.length) return [];
  const { rows } = await db.query<{ id: string }>(
    `update uws_job set handover_expires = now() + make_interval(secs => $3)
      where id = any($2::text[]) and handover_owner = $1 and handover_expires is not null
      returning id`,
    [owner, ids, leaseS],
  );
  return rows.map((r) => r.id);
}

/**
 * Ends owner's hand-over of a job: handed on (the lease is cleared; the engine has the job now), or given up
 * (`giveUp`, a shutdown interrupted it: the lease expires at once so another process takes the job over).
 * False when owner no longer held it.
 */
export async function endHandover(db: Queryable, id: string, owner: string, giveUp: boolean): Promise<boolean> {
  const r = await db.query(
    `update uws_job set handover_expires = case when $3 then now() - interval '1 millisecond' end
      where id = $1 and handover_owner = $2 and handover_expires is not null`,
    [id, owner, giveUp],
  );
  return r.rowCount === 1;
}

export interface OrphanClaim {
  owner: string;
  leaseS: number;
  /** Job kinds this process can run. */
  kinds: string[];
  /** Jobs whose hand-over this many processes already held are left to failAbandonedHandovers. */
  maxAttempts: number;
  /** Jobs this process is handing over itself (never claimed again, even if a stall let their lease lapse). */
  held: string[];
  limit: number;
}

/**
 * Takes over QUEUED jobs whose hand-over lease expired (the process handing them over stopped renewing it):
 * one statement, rows locked with SKIP LOCKED and re-checked after the lock, so when several processes race
 * each job goes to exactly one; a live lease is never taken. Returns the jobs with the owner they were taken from.
 */
export async function claimOrphanedJobs(db: Queryable, c: OrphanClaim): Promise<{ id: string; kind: string; previousOwner: string | null }[]> {
  const { rows } = await db.query<{ id: string; kind: string; previous_owner: string | null }>(
    `with orphan as (
       select id, handover_owner as previous_owner from uws_job
        where phase = 'QUEUED' and handover_expires < now() and kind = any($3::text[])
          and handover_attempts < $4 and not (id = any($5::text[]))
        order by handover_expires limit $6
        for update skip locked
     )
     update uws_job j set ${handoverColumns('$1', '$2')}
       from orphan where j.id = orphan.id and j.phase = 'QUEUED' and j.handover_expires < now()
     returning j.id, j.kind, orphan.previous_owner`,
    [c.owner, c.leaseS, c.kinds, c.maxAttempts, c.held, c.limit],
  );
  return rows.map((r) => ({ id: r.id, kind: r.kind, previousOwner: r.previous_owner }));
}

/**
 * Ends in ERROR the QUEUED jobs of these kinds whose hand-over expired after maxAttempts processes held it: the
 * job itself is what keeps stopping them, and taking it over again would only stop the next one.
 */
export async function failAbandonedHandovers(db: Queryable, kinds: string[], maxAttempts: number, now: Date): Promise<{ id: string; kind: string }[]> {
  const { rows } = await db.query<{ id: string; kind: string }>(
    `update uws_job set phase = 'ERROR', end_time = $3, error_type = 'fatal', handover_expires = null,
       error_message = 'Error: the job was not started: ' || handover_attempts || ' service processes stopped while handing it to the execution engine'
     where id in (select id from uws_job where phase = 'QUEUED' and handover_expires < now() and kind = any($1::text[])
                    and handover_attempts >= $2 for update skip locked)
       and phase = 'QUEUED' and handover_expires < now()
     returning id, kind`,
    [kinds, maxAttempts, now],
  );
  return rows;
}
