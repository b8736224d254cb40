// uws_job, uws_parameter and uws_result: reading and writing one job. Phase changes are compare-and-set:
// each mark* updates only `where phase = any(from)` and returns null when another actor got there first.
import { createHash } from 'node:crypto';
import type { ErrorInput, Job, JobParameter, Phase } from '../domain/job.js';
import type { Plan } from '../domain/plan.js';
import { withTransaction, type Pool, type Queryable } from './db.js';
import { handoverColumns, type HandoverLease } from './handover-store.js';

interface JobRow {
  id: string;
  kind: string;
  owner_id: string | null;
  run_id: string | null;
  phase: Phase;
  quote: Date | null;
  creation_time: Date;
  start_time: Date | null;
  end_time: Date | null;
  execution_duration: number;
  destruction: Date | null;
  error_type: 'fatal' | 'transient' | null;
  error_message: string | null;
  error_detail: string | null;
  error_detail_type: string | null;
  job_info: string | null;
  progress_fraction: number | null;
  progress_message: string | null;
  parameters: Job['parameters'];
  results: Job['results'];
  version: string;
}

// One round trip: the job with its ordered parameters and results as JSON arrays.
const selectJob = `
  select j.*,
    coalesce((select json_agg(json_build_object('name', p.name, 'value', p.value, 'byReference', p.by_reference)
                              order by p.position)
              from uws_parameter p where p.job_id = j.id), '[]') as parameters,
    coalesce((select json_agg(json_build_object('id', r.result_id, 'href', r.href, 'path', r.path,
                                                'mimeType', r.mime_type, 'size', r.size) order by r.position)
              from uws_result r where r.job_id = j.id), '[]') as results
  from uws_job j`;

const selectJobById = `${selectJob} where j.id = $1 and ($2::text is null or j.kind = $2)`;

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    ownerId: r.owner_id,
    runId: r.run_id,
    phase: r.phase,
    quote: r.quote,
    creationTime: r.creation_time,
    startTime: r.start_time,
    endTime: r.end_time,
    executionDuration: r.execution_duration,
    destruction: r.destruction,
    error: r.error_type && r.error_message !== null
      ? { type: r.error_type, message: r.error_message, detail: r.error_detail, detailType: r.error_detail_type }
      : null,
    jobInfo: r.job_info,
    progress: r.progress_fraction === null && r.progress_message === null ? null : { fraction: r.progress_fraction, message: r.progress_message },
    parameters: r.parameters,
    results: r.results,
    version: r.version,
  };
}

export interface NewJob {
  id: string;
  kind: string;
  ownerId: string | null;
  runId: string | null;
  phase: 'PENDING' | 'QUEUED';
  quote: Date | null;
  creationTime: Date;
  executionDuration: number;
  destruction: Date | null;
  parameters: JobParameter[];
  /** Initial jobInfo content (the runner's description of a new job). */
  jobInfo?: string | null;
  /** A QUEUED job: the process handing it to its runner, with its lease (handover-store.ts). */
  handover?: HandoverLease;
  /** The plan the jobInfo summarises, served at {job}/plan (job_plan). */
  plan?: Plan | null;
}

// One statement, so one round trip and one commit, atomic without BEGIN/COMMIT, for any number of jobs: the job
// rows, then their parameters (the foreign key is checked at the end of the statement, when the job rows exist).
// Named, so each connection parses and plans it once (a prepared statement).
const insertJobsSql = `
  with j as (
    insert into uws_job (id, kind, owner_id, run_id, phase, quote, creation_time, execution_duration, destruction, job_info,
                         handover_owner, handover_expires, handover_attempts)
    select id, kind, owner_id, run_id, phase, quote, creation_time, execution_duration, destruction, job_info,
           h_owner, case when h_owner is not null then now() + make_interval(secs => h_lease) end, case when h_owner is not null then 1 else 0 end
    from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                $8::integer[], $9::timestamptz[], $10::text[], $16::text[], $17::float8[])
      as t(id, kind, owner_id, run_id, phase, quote, creation_time, execution_duration, destruction, job_info, h_owner, h_lease)
    returning *),
  p as (
    insert into uws_parameter (job_id, position, name, value, by_reference)
    select * from unnest($11::text[], $12::integer[], $13::text[], $14::text[], $15::boolean[])),
  pb as (
    insert into plan_body (digest, plan)
    select * from unnest($19::text[], $20::jsonb[]) on conflict (digest) do nothing),
  pl as (
    insert into job_plan (job_id, digest)
    select * from unnest($18::text[], $21::text[]))
  select * from j`;

// Jobs of one request share one cached plan object (soda/plan-cache.ts): it is serialised and digested once, sent
// until a batch has stored it (then only its digest goes with later jobs), and stored once (plan_body, migration
// 000015) however many jobs use it.
const planBodies = new WeakMap<Plan, { json: string; digest: string; stored: boolean }>();
const bodyOf = (plan: Plan) => {
  let b = planBodies.get(plan);
  if (b === undefined) {
    const json = JSON.stringify(plan);
    b = { json, digest: createHash('sha256').update(json).digest('hex'), stored: false };
    planBodies.set(plan, b);
  }
  return b;
};

/** Inserts jobs and their parameters atomically in one round trip; returns the jobs as stored, in order. */
export async function insertJobs(db: Queryable, jobs: readonly NewJob[]): Promise<Job[]> {
  try {
    return await insertJobsOnce(db, jobs, false);
  } catch (err) {
    // A plan body this process stored before and so did not send, or one sent but deleted under the statement,
    // is gone (the reaper's deleteUnusedPlanBodies): the second attempt sends and stores every body again.
    if ((err as { constraint?: string }).constraint !== 'job_plan_digest_fkey') throw err;
    return await insertJobsOnce(db, jobs, true);
  }
}

/**
 * Deletes up to `limit` shared plan bodies that no job names and that were stored before `before`; returns how many.
 * A body a concurrent creation names meanwhile fails the statement (foreign key): the next pass tries again.
 */
export async function deleteUnusedPlanBodies(db: Queryable, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from plan_body where digest in (
       select b.digest from plan_body b
       where b.created < $1 and not exists (select 1 from job_plan p where p.digest = b.digest)
       limit $2 for update skip locked)`,
    [before, limit],
  );
  return rowCount ?? 0;
}

async function insertJobsOnce(db: Queryable, jobs: readonly NewJob[], resend: boolean): Promise<Job[]> {
  const params = jobs.flatMap((j) => j.parameters.map((p, position) => ({ jobId: j.id, position, ...p })));
  const planned = jobs.filter((j) => j.plan);
  const used = [...new Set(planned.map((j) => bodyOf(j.plan!)))];
  const bodies = new Map(used.filter((b) => resend || !b.stored).map((b) => [b.digest, b.json]));
  const { rows } = await db.query<Omit<JobRow, 'parameters' | 'results'>>({
    name: 'drsoda-insert-jobs',
    text: insertJobsSql,
    values: [
      jobs.map((j) => j.id), jobs.map((j) => j.kind), jobs.map((j) => j.ownerId), jobs.map((j) => j.runId), jobs.map((j) => j.phase),
      jobs.map((j) => j.quote), jobs.map((j) => j.creationTime), jobs.map((j) => j.executionDuration), jobs.map((j) => j.destruction),
      jobs.map((j) => j.jobInfo ?? null),
      params.map((p) => p.jobId), params.map((p) => p.position), params.map((p) => p.name), params.map((p) => p.value), params.map((p) => p.byReference),
      // A QUEUED job is handed to its runner under the creating process's lease (handover-store.ts).
      jobs.map((j) => (j.phase === 'QUEUED' ? (j.handover?.owner ?? null) : null)), jobs.map((j) => (j.phase === 'QUEUED' ? (j.handover?.leaseS ?? 0) : 0)),
      // The plan the jobInfo summarises, served at {job}/plan.
      planned.map((j) => j.id), [...bodies.keys()], [...bodies.values()], planned.map((j) => bodyOf(j.plan!).digest),
    ],
  });
  for (const b of used) b.stored = true;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return jobs.map((j) => toJob({ ...byId.get(j.id)!, parameters: j.parameters.map((p) => ({ name: p.name, value: p.value, byReference: p.byReference })), results: [] }));
}

/** Inserts a job and its parameters atomically in one round trip; returns the job as stored. */
export async function insertJob(db: Queryable, j: NewJob): Promise<Job> {
  return (await insertJobs(db, [j]))[0];
}

async function insertParameters(db: Queryable, jobId: string, firstPosition: number, params: JobParameter[]): Promise<void> {
  if (!params.length) return;
  await db.query(
    `insert into uws_parameter (job_id, position, name, value, by_reference)
     select $1, $2 + n - 1, name, value, by_ref
     from unnest($3::text[], $4::text[], $5::boolean[]) with ordinality as t(name, value, by_ref, n)`,
    [jobId, firstPosition, params.map((p) => p.name), params.map((p) => p.value), params.map((p) => p.byReference)],
  );
}

/** The job with parameters and results, or null when there is no such job of that kind. */
export async function getJob(db: Queryable, id: string, kind?: string): Promise<Job | null> {
  const { rows } = await db.query<JobRow>({ name: 'drsoda-get-job', text: selectJobById, values: [id, kind ?? null] });
  return rows[0] ? toJob(rows[0]) : null;
}

/** Only the phase and owner (GET {job}/phase, which TOPCAT polls): no jobInfo, parameters or results read. */
export async function getJobPhase(db: Queryable, id: string, kind: string): Promise<{ phase: Phase; ownerId: string | null; version: string } | null> {
  const { rows } = await db.query<{ phase: Phase; owner_id: string | null; version: string }>({
    name: 'drsoda-get-job-phase',
    text: 'select phase, owner_id, version from uws_job where id = $1 and kind = $2',
    values: [id, kind],
  });
  return rows[0] ? { phase: rows[0].phase, ownerId: rows[0].owner_id, version: rows[0].version } : null;
}

/** Compare-and-set helper: applies `set` only while the phase is one of from; returns the new job or null. */
async function casUpdate(db: Queryable, id: string, from: readonly Phase[], set: string, values: unknown[]): Promise<Job | null> {
  const { rows } = await db.query<{ id: string }>(
    `update uws_job set ${set} where id = $1 and phase = any($2::text[]) returning id`,
    [id, from, ...values],
  );
  return rows[0] ? getJob(db, id) : null;
}

/**
 * PENDING/HELD -> QUEUED (the client's PHASE=RUN), recording the quote and, when given, the process that will hand
 * the job to its runner, with its lease (handover-store.ts; without one no other process ever takes the job over).
 */
export const markQueued = (db: Queryable, id: string, quote: Date | null, handover?: HandoverLease) =>
  handover
    ? casUpdate(db, id, ['PENDING', 'HELD'], `phase = 'QUEUED', quote = $3, ${handoverColumns('$4', '$5')}`, [quote, handover.owner, handover.leaseS])
    : casUpdate(db, id, ['PENDING', 'HELD'], `phase = 'QUEUED', quote = $3`, [quote]);

/** QUEUED -> EXECUTING: sets startTime and the execution deadline (none when executionDuration is 0). */
export const markExecuting = (db: Queryable, id: string, now: Date, from: readonly Phase[] = ['QUEUED']) =>
  casUpdate(
    db,
    id,
    from,
    `phase = 'EXECUTING', start_time = $3,
     deadline = case when execution_duration > 0 then $3::timestamptz + execution_duration * interval '1 second' end`,
    [now],
  );

/** Moves the job to ABORTED from any of the given phases. */
export const markAborted = (db: Queryable, id: string, now: Date, from: readonly Phase[]) =>
  casUpdate(db, id, from, `phase = 'ABORTED', end_time = $3, quote = null`, [now]);

/** Moves the job to ERROR with its summary and optional detail document. */
export const markError = (db: Queryable, id: string, now: Date, e: ErrorInput, from: readonly Phase[]) =>
  casUpdate(
    db,
    id,
    from,
    `phase = 'ERROR', end_time = $3, error_type = $4, error_message = $5, error_detail = $6, error_detail_type = $7`,
    [now, e.type, e.message, e.detail ?? null, e.detail === undefined ? null : (e.detailType ?? 'text/plain')],
  );

export interface StoredResult {
  id: string;
  href: string | null;
  path: string | null;
  mimeType: string | null;
  size: number | null;
}

/** EXECUTING -> COMPLETED and the results, in one transaction; null (nothing written) when the CAS lost. */
export async function markCompleted(pool: Pool, id: string, now: Date, results: StoredResult[]): Promise<Job | null> {
  return withTransaction(pool, async (c) => {
    const { rowCount } = await c.query(
      `update uws_job set phase = 'COMPLETED', end_time = $2, progress_fraction = 1 where id = $1 and phase = 'EXECUTING'`,
      [id, now],
    );
    if (!rowCount) return null;
    if (results.length) {
      await c.query(
        `insert into uws_result (job_id, position, result_id, href, path, mime_type, size)
         select $1, n - 1, rid, href, path, mime, size
         from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) with ordinality as t(rid, href, path, mime, size, n)`,
        [id, results.map((r) => r.id), results.map((r) => r.href), results.map((r) => r.path), results.map((r) => r.mimeType), results.map((r) => r.size)],
      );
    }
    return getJob(c, id);
  });
}

/**
 * Progress of an EXECUTING job; false when it is no longer executing. A fraction > 0 also refreshes the
 * quote by extrapolating the time spent so far.
 */
export async function setProgress(db: Queryable, id: string, fraction: number | null, message: string | null, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `update uws_job set progress_fraction = coalesce($2, progress_fraction), progress_message = coalesce($3, progress_message),
       quote = case when $2::float8 > 0 and start_time is not null
                    then start_time + ($4::timestamptz - start_time) / $2::float8 else quote end
     where id = $1 and phase = 'EXECUTING'`,
    [id, fraction, message, now],
  );
  return !!rowCount;
}

/**
 * Replaces the jobInfo and, when plan is given, the plan it summarises (null removes it), in one transaction.
 * False when the job is gone.
 */
export async function setJobInfo(pool: Pool, id: string, xml: string | null, plan?: Plan | null): Promise<boolean> {
  if (plan === undefined) {
    const { rowCount } = await pool.query('update uws_job set job_info = $2 where id = $1', [id, xml]);
    return !!rowCount;
  }
  return withTransaction(pool, async (c) => {
    const { rowCount } = await c.query('update uws_job set job_info = $2 where id = $1', [id, xml]);
    if (!rowCount) return false;
    if (plan === null) await c.query('delete from job_plan where job_id = $1', [id]);
    else await c.query(`insert into job_plan (job_id, plan) values ($1, $2) on conflict (job_id) do update set plan = excluded.plan, digest = null`, [id, JSON.stringify(plan)]);
    return true;
  });
}

/** Only while PENDING (UWS: the duration is agreed before the job runs). */
export async function setExecutionDuration(db: Queryable, id: string, seconds: number, quote: Date | null): Promise<boolean> {
  const { rowCount } = await db.query(
    `update uws_job set execution_duration = $2, quote = $3 where id = $1 and phase = 'PENDING'`,
    [id, seconds, quote],
  );
  return !!rowCount;
}

export async function setDestruction(db: Queryable, id: string, when: Date): Promise<boolean> {
  const { rowCount } = await db.query('update uws_job set destruction = $2 where id = $1', [id, when]);
  return !!rowCount;
}

/**
 * While the job is PENDING, replaces every value of the named parameters with the given ones (appended
 * after the others) and sets the quote (and the runId when given). Returns false, writing nothing, when the job is not PENDING.
 */
export async function replaceParameters(pool: Pool, id: string, params: JobParameter[], quote: Date | null, runId?: string): Promise<boolean> {
  return withTransaction(pool, async (c) => {
    const { rows } = await c.query<{ phase: Phase; next: number }>(
      `select phase, (select coalesce(max(position) + 1, 0) from uws_parameter where job_id = $1) as next
       from uws_job where id = $1 for update`,
      [id],
    );
    if (!rows[0] || rows[0].phase !== 'PENDING') return false;
    const names = [...new Set(params.map((p) => p.name))];
    await c.query('delete from uws_parameter where job_id = $1 and name = any($2::text[])', [id, names]);
    await insertParameters(c, id, rows[0].next, params);
    await c.query('update uws_job set quote = $2, run_id = coalesce($3, run_id) where id = $1', [id, quote, runId ?? null]);
    return true;
  });
}

/** Deletes the job (parameters and results cascade); false when it was already gone. */
export async function deleteJob(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('delete from uws_job where id = $1', [id]);
  return !!rowCount;
}
