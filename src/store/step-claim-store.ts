// Claiming, leasing and finishing steps: the statements workers race on. Every transition is
// compare-and-set on (state, lease_owner), so a worker that lost its lease can never record a result.
import type { FailureKind, StepOutput, StepRow } from './step-store.js';
import { getStep, promoteReadySteps } from './step-store.js';
import type { PoolClient, Queryable } from './db.js';

export interface ClaimOptions {
  workerId: string;
  leaseS: number;
  /** Seconds of waiting that add one priority level, so normal work is never starved. */
  agingS: number;
  /**
   * The worker's pipeline id: it claims only steps planned for it (and steps older than migration 7), so a
   * worker with another image never makes products under a step id that names a different reducer.
   */
  pipelineId?: string;
}

/**
 * Takes the best ready step: highest priority (plus aging), then the owner with the fewest running
 * steps (fairness), then the oldest. SKIP LOCKED lets many workers claim at once without blocking.
 * started_at is clock_timestamp(), not now(): now() is when the statement arrived, which on a busy server can
 * precede the commit that made the step ready, so a step seemed to start before its input step ended.
 */
export async function claimStep(db: Queryable, o: ClaimOptions): Promise<StepRow | null> {
  const { rows } = await db.query<{ id: string }>(
    `with running as (
       select owner_id, count(*) as n from step where state = 'running' group by owner_id
     ), candidate as (
       select s.id from step s left join running r on r.owner_id = s.owner_id
        where s.state = 'ready' and (s.not_before is null or s.not_before <= now())
          and ($4::text is null or s.pipeline_id is null or s.pipeline_id = $4)
        order by s.priority + extract(epoch from now() - s.ready_at) / $3 desc,
                 coalesce(r.n, 0), s.ready_at, s.id
        limit 1
        for update of s skip locked
     )
     update step set state = 'running', lease_owner = $1, lease_expires = now() + make_interval(secs => $2),
            attempts = attempts + 1, started_at = clock_timestamp(), ended_at = null, exit_code = null,
            failure_kind = null, error_message = null
       from candidate where step.id = candidate.id
     returning step.id`,
    [o.workerId, o.leaseS, o.agingS, o.pipelineId ?? null],
  );
  return rows[0] ? getStep(db, rows[0].id) : null;
}

/** A job's phase and its steps counted by state, in one round trip; null when the job is gone. */
export async function jobSyncState(db: Queryable, jobId: string): Promise<{ phase: string; counts: Record<string, number> } | null> {
  const { rows } = await db.query<{ phase: string; state: string | null; n: number }>(
    `select j.phase, s.state, count(s.id)::int as n
       from uws_job j left join job_step js on js.job_id = j.id left join step s on s.id = js.step_id
      where j.id = $1 group by j.phase, s.state`,
    [jobId],
  );
  if (!rows.length) return null;
  return { phase: rows[0].phase, counts: Object.fromEntries(rows.filter((r) => r.state).map((r) => [r.state, r.n])) };
}

/** Live jobs with no unfinished step left: the safety net re-syncs them (a missed wake-up never strands a job). */
export async function jobsToReconcile(db: Queryable, limit = 100): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select j.id from uws_job j
      where j.phase in ('QUEUED', 'EXECUTING') and exists (select 1 from job_step js where js.job_id = j.id)
        and not exists (select 1 from job_step js join step s on s.id = js.step_id
                         where js.job_id = j.id and s.state in ('waiting', 'ready', 'running'))
      limit $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/** Extends the lease; false means the lease was lost (expired and taken, or the step was cancelled). */
export async function renewLease(db: Queryable, stepId: string, workerId: string, leaseS: number): Promise<boolean> {
  const r = await db.query(
    `update step set lease_expires = now() + make_interval(secs => $3) where id = $1 and lease_owner = $2 and state = 'running'`,
    [stepId, workerId, leaseS],
  );
  return r.rowCount === 1;
}

export interface RunInfo {
  exitCode: number | null;
  runtime: string | null;
  logPath: string | null;
  durationMs: number;
}

/** Records success and its outputs, then readies the dependants; false if the lease was lost. */
export async function finishStepDone(c: PoolClient, stepId: string, workerId: string, outputs: StepOutput[], info: RunInfo): Promise<boolean> {
  const bytes = outputs.filter((o) => o.product).reduce((a, o) => a + o.size, 0);
  const r = await c.query(
    `update step set state = 'done', lease_owner = null, lease_expires = null, ended_at = now(), exit_code = $3,
            runtime = $4, log_path = $5, duration_ms = $6, products_bytes = $7, last_used_at = now()
      where id = $1 and lease_owner = $2 and state = 'running'`,
    [stepId, workerId, info.exitCode, info.runtime, info.logPath, info.durationMs, bytes],
  );
  if (r.rowCount !== 1) return false;
  await c.query('delete from step_output where step_id = $1', [stepId]);
  await c.query(
    `insert into step_output (step_id, file_name, size, sha256, product)
     select $1, * from unnest($2::text[], $3::bigint[], $4::text[], $5::boolean[])`,
    [stepId, outputs.map((o) => o.fileName), outputs.map((o) => o.size), outputs.map((o) => o.sha256), outputs.map((o) => o.product)],
  );
  // Lock the dependants (in id order: no deadlocks) before checking their other inputs. Two parents
  // finishing at once would otherwise each see the other still running, and neither would ready the child.
  const { rows } = await c.query<{ id: string }>(
    `select id from step where id in (select step_id from step_dependency where depends_on = $1) order by id for update`,
    [stepId],
  );
  if (rows.length) await promoteReadySteps(c, rows.map((x) => x.id));
  return true;
}

/**
 * Records a failure. Transient failures with attempts left go back to ready after retryDelayS; the
 * rest end the step. Returns the new state, or null if the lease was lost.
 */
export async function finishStepFailed(
  db: Queryable,
  stepId: string,
  workerId: string,
  kind: FailureKind,
  message: string,
  info: RunInfo,
  retryDelayS: number,
): Promise<'ready' | 'failed' | null> {
  const { rows } = await db.query<{ state: 'ready' | 'failed' }>(
    `update step set
        state = case when $3 = 'transient' and attempts < max_attempts then 'ready' else 'failed' end,
        not_before = case when $3 = 'transient' and attempts < max_attempts then now() + make_interval(secs => $8) else null end,
        ready_at = now(), lease_owner = null, lease_expires = null, ended_at = now(),
        failure_kind = $3, error_message = $4, exit_code = $5, runtime = $6, log_path = $7, duration_ms = $9
      where id = $1 and lease_owner = $2 and state = 'running'
      returning state`,
    [stepId, workerId, kind, message, info.exitCode, info.runtime, info.logPath, retryDelayS, info.durationMs],
  );
  return rows[0]?.state ?? null;
}

/** Steps whose worker stopped renewing (crash, kill -9, partition) go back to ready, or fail when out of attempts. */
export async function releaseExpiredLeases(db: Queryable): Promise<{ id: string; state: string }[]> {
  const { rows } = await db.query<{ id: string; state: string }>(
    `update step set state = case when attempts >= max_attempts then 'failed' else 'ready' end,
            failure_kind = 'transient', error_message = 'the worker running this step stopped renewing its lease',
            lease_owner = null, lease_expires = null, ready_at = now(), ended_at = now()
      where state = 'running' and lease_expires < now()
      returning id, state`,
  );
  return rows;
}

/** Live jobs (QUEUED/EXECUTING) that need a step. */
export async function liveJobsOfStep(db: Queryable, stepId: string): Promise<string[]> {
  const { rows } = await db.query<{ job_id: string }>(
    `select js.job_id from job_step js join uws_job j on j.id = js.job_id
      where js.step_id = $1 and j.phase in ('QUEUED', 'EXECUTING') order by js.job_id`,
    [stepId],
  );
  return rows.map((r) => r.job_id);
}

/** Counts of a job's steps by state. */
export async function jobStepCounts(db: Queryable, jobId: string): Promise<Record<string, number>> {
  const { rows } = await db.query<{ state: string; n: number }>(
    `select s.state, count(*)::int as n from job_step js join step s on s.id = js.step_id where js.job_id = $1 group by s.state`,
    [jobId],
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/**
 * Cancels the job's unfinished steps that no other live job needs; returns those that were running,
 * whose workers must kill them (they learn it from the step_state notification).
 */
export async function cancelStepsOfJob(db: Queryable, jobId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string; was: string }>(
    `with target as (
       select s.id, s.state as was from step s join job_step js on js.step_id = s.id
        where js.job_id = $1 and s.state in ('waiting', 'ready', 'running')
          and not exists (select 1 from job_step o join uws_job j on j.id = o.job_id
                           where o.step_id = s.id and o.job_id <> $1 and j.phase in ('PENDING', 'QUEUED', 'EXECUTING'))
        for update of s
     )
     update step set state = 'cancelled', lease_owner = null, lease_expires = null, ended_at = now()
       from target where step.id = target.id returning step.id, target.was`,
    [jobId],
  );
  return rows.filter((r) => r.was === 'running').map((r) => r.id);
}
