// Queries over many jobs: the filtered, keyset-paged job list, the reaper's sweeps and run-time history.
import type { Phase, JobRef } from '../domain/job.js';
import type { Queryable } from './db.js';

export interface ListQuery {
  kind: string;
  /** undefined: every owner (admins, anonymous mode); null: the anonymous owner; else that user. */
  ownerId?: string | null;
  /** Union of phases; undefined lists every phase but ARCHIVED (UWS 1.1 section 2.2.3.1). */
  phases?: readonly Phase[];
  /** creationTime strictly after. */
  after?: Date;
  /** Keyset: only jobs older than this (creationTime, id) pair, in list order. */
  before?: { creationTime: Date; id: string };
  limit: number;
  /**
   * With an ownerId (string or null): also the jobs shared with that caller as a reader (uws_job_reader: the
   * user, or '*' = everyone), e.g. the auto jobs of the programmes they belong to.
   */
  withShared?: boolean;
}

/**
 * Newest first by (creationTime, id). The statement is assembled from the filters actually given,
 * so each shape matches one of the uws_job_*list indexes and is answered by an index scan.
 */
export function listJobsQuery(q: ListQuery): { text: string; values: unknown[] } {
  const where = ['kind = $1'];
  const values: unknown[] = [q.kind];
  const add = (sql: (n: number) => string, ...v: unknown[]) => {
    where.push(sql(values.length + 1));
    values.push(...v);
  };
  if (q.ownerId === null) where.push('owner_id is null');
  else if (q.ownerId !== undefined) add((n) => `owner_id = $${n}`, q.ownerId);
  const ownerParam = values.length;
  if (q.phases) add((n) => `phase = any($${n}::text[])`, q.phases);
  else where.push(`phase <> 'ARCHIVED'`);
  if (q.after) add((n) => `creation_time > $${n}`, q.after);
  if (q.before) add((n) => `(creation_time, id) < ($${n}, $${n + 1})`, q.before.creationTime, q.before.id);
  values.push(q.limit);
  const limit = `$${values.length}`;
  const columns = 'select id, version, phase, run_id, owner_id, creation_time from uws_job';
  const order = 'order by creation_time desc, id desc';
  if (!q.withShared || q.ownerId === undefined) return { text: `${columns} where ${where.join(' and ')} ${order} limit ${limit}`, values };
  // Owned jobs and shared ones as two branches, merged and cut to the page. Owned ones come from the list
  // indexes as above; shared ones are looked up job by job from the caller's reader rows (OFFSET 0 keeps the
  // lateral lookup a primary-key probe instead of a scan of every job), then the few are sorted.
  const shared = where.filter((w) => !w.startsWith('owner_id'));
  shared.push(q.ownerId === null ? 'owner_id is not null' : `owner_id is distinct from $${ownerParam}`);
  values.push(q.ownerId === null ? ['*'] : [q.ownerId, '*']);
  const text = `select * from (
       (${columns} where ${where.join(' and ')} ${order} limit ${limit})
       union all
       (select j.* from (select distinct job_id from uws_job_reader where user_id = any($${values.length}::text[])) r
          cross join lateral (${columns} where id = r.job_id and ${shared.join(' and ')} offset 0) j
        ${order} limit ${limit})
     ) t ${order} limit ${limit}`;
  return { text, values };
}

export async function listJobs(db: Queryable, q: ListQuery): Promise<JobRef[]> {
  const { text, values } = listJobsQuery(q);
  const { rows } = await db.query<{ id: string; version: string; phase: Phase; run_id: string | null; owner_id: string | null; creation_time: Date }>(text, values);
  return rows.map((r) => ({ id: r.id, version: r.version, phase: r.phase, runId: r.run_id, ownerId: r.owner_id, creationTime: r.creation_time }));
}

export interface SweptJob {
  id: string;
  kind: string;
  phase: Phase;
}

/**
 * Moves EXECUTING jobs whose deadline has passed to ERROR (UWS 1.1 section 2.1.6: the duration is
 * enforced by the server). SKIP LOCKED lets several processes sweep at once without waiting.
 */
export async function expireOverdueJobs(db: Queryable, now: Date, limit: number): Promise<SweptJob[]> {
  const { rows } = await db.query<SweptJob>(
    `update uws_job set phase = 'ERROR', end_time = $1, error_type = 'fatal',
       error_message = 'execution duration of ' || execution_duration || ' s exceeded; the job was stopped'
     where id in (select id from uws_job where phase = 'EXECUTING' and deadline <= $1
                  order by deadline limit $2 for update skip locked)
       and phase = 'EXECUTING'
     returning id, kind, phase`,
    [now, limit],
  );
  return rows;
}

/** Deletes jobs whose destruction time has come; returns them (with the phase they were in). */
export async function destroyDueJobs(db: Queryable, now: Date, limit: number): Promise<SweptJob[]> {
  const { rows } = await db.query<SweptJob>(
    `delete from uws_job
     where id in (select id from uws_job where destruction <= $1 order by destruction limit $2 for update skip locked)
     returning id, kind, phase`,
    [now, limit],
  );
  return rows;
}

/** Median run time (end - start, seconds) of the kind's most recent completed jobs, and how many there were. */
export async function recentRunTime(db: Queryable, kind: string, sample: number): Promise<{ medianS: number | null; count: number }> {
  const { rows } = await db.query<{ median: number | null; count: number }>(
    `select percentile_cont(0.5) within group (order by s) as median, count(*)::int as count
     from (select extract(epoch from end_time - start_time)::float8 as s from uws_job
           where kind = $1 and phase = 'COMPLETED' and start_time is not null
           order by end_time desc limit $2) t`,
    [kind, sample],
  );
  return { medianS: rows[0].median, count: rows[0].count };
}
