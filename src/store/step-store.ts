// step, step_dependency, job_step, step_output, job_plan: the execution engine's durable state.
import type { PipelineIdentity, Plan, Step } from '../domain/plan.js';
import type { StepFailureKind, StepState } from '../domain/api-types.js';
import type { Pool, PoolClient, Queryable } from './db.js';

// One definition of the step lifecycle: the one the API shows (src/domain/api-types.ts).
export type { StepState };
export type FailureKind = StepFailureKind;

export interface StepRow {
  id: string;
  operation: string;
  label: string;
  spec: Step;
  state: StepState;
  ownerId: string;
  priority: number;
  attempts: number;
  maxAttempts: number;
  leaseOwner: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  exitCode: number | null;
  failureKind: FailureKind | null;
  errorMessage: string | null;
  logPath: string | null;
  runtime: string | null;
  /** The pipeline the step was planned for (Plan.pipeline.description); null for steps older than migration 7. */
  pipeline: string | null;
  durationMs: number | null;
}

export interface StepOutput {
  fileName: string;
  size: number;
  sha256: string;
  product: boolean;
}

const cols = `id, operation, label, spec, state, owner_id, priority, attempts, max_attempts, lease_owner,
  started_at, ended_at, exit_code, failure_kind, error_message, log_path, runtime, pipeline, duration_ms`;

function toRow(r: Record<string, unknown>): StepRow {
  return {
    id: r.id as string,
    operation: r.operation as string,
    label: r.label as string,
    spec: r.spec as Step,
    state: r.state as StepState,
    ownerId: r.owner_id as string,
    priority: r.priority as number,
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    leaseOwner: r.lease_owner as string | null,
    startedAt: r.started_at as Date | null,
    endedAt: r.ended_at as Date | null,
    exitCode: r.exit_code as number | null,
    failureKind: r.failure_kind as FailureKind | null,
    errorMessage: r.error_message as string | null,
    logPath: r.log_path as string | null,
    runtime: r.runtime as string | null,
    pipeline: r.pipeline as string | null,
    durationMs: r.duration_ms as number | null,
  };
}

export async function saveJobPlan(db: Queryable, jobId: string, plan: Plan): Promise<void> {
  await db.query(`insert into job_plan (job_id, plan) values ($1, $2) on conflict (job_id) do update set plan = excluded.plan, digest = null`, [jobId, JSON.stringify(plan)]);
}

export async function loadJobPlan(db: Queryable, jobId: string): Promise<Plan | null> {
  // A plan stored at creation is shared (plan_body); one written for this job alone is in job_plan itself.
  const { rows } = await db.query<{ plan: Plan }>('select coalesce(p.plan, b.plan) as plan from job_plan p left join plan_body b on b.digest = p.digest where p.job_id = $1', [jobId]);
  return rows[0]?.plan ?? null;
}

/**
 * Links a job to its plan's steps, creating the steps that do not exist and reviving failed or cancelled
 * ones (their inputs may have changed since). Steps already waiting, ready, running or done are shared.
 */
export async function attachPlanSteps(
  c: PoolClient, jobId: string, ownerId: string, priority: number, steps: Step[], maxAttempts: number, pipeline: PipelineIdentity,
): Promise<void> {
  await c.query(
    `insert into step (id, operation, label, spec, state, owner_id, priority, max_attempts, pipeline_id, pipeline, made_for_job)
     select s.id, s.operation, s.label, s.spec, 'waiting', $2, $3, $4, $5, $6, $7
       from jsonb_to_recordset($1::jsonb) as s(id text, operation text, label text, spec jsonb)
     on conflict (id) do update set
       state = case when step.state in ('failed', 'cancelled') then 'waiting' else step.state end,
       made_for_job = case when step.state in ('failed', 'cancelled') then excluded.made_for_job else step.made_for_job end,
       attempts = case when step.state in ('failed', 'cancelled') then 0 else step.attempts end,
       not_before = case when step.state in ('failed', 'cancelled') then null else step.not_before end,
       priority = greatest(step.priority, excluded.priority),
       last_used_at = now()`,
    [JSON.stringify(steps.map((s) => ({ id: s.id, operation: s.operation, label: s.label, spec: s }))), ownerId, priority, maxAttempts, pipeline.id, pipeline.description, jobId],
  );
  const deps = steps.flatMap((s) => s.dependsOn.map((d) => [s.id, d]));
  if (deps.length) {
    await c.query(
      `insert into step_dependency (step_id, depends_on) select * from unnest($1::text[], $2::text[]) on conflict do nothing`,
      [deps.map((d) => d[0]), deps.map((d) => d[1])],
    );
  }
  await c.query(
    `insert into job_step (job_id, step_id, position) select $1, id, n::int - 1 from unnest($2::text[]) with ordinality as t(id, n)
     on conflict do nothing`,
    [jobId, steps.map((s) => s.id)],
  );
}

/** Marks waiting steps whose dependencies are all done as ready (among ids, or all when ids is null). */
export async function promoteReadySteps(db: Queryable, ids: string[] | null): Promise<number> {
  const r = await db.query(
    `update step set state = 'ready', ready_at = now()
      where state = 'waiting' and ($1::text[] is null or id = any($1))
        and not exists (select 1 from step_dependency d join step p on p.id = d.depends_on
                         where d.step_id = step.id and p.state <> 'done')`,
    [ids],
  );
  return r.rowCount ?? 0;
}

/** Steps of a job that are done, for cache checks before the job starts. */
export async function doneStepsOfJob(db: Queryable, jobId: string): Promise<{ id: string; outputs: StepOutput[] }[]> {
  const { rows } = await db.query(
    `select s.id, coalesce(json_agg(json_build_object('fileName', o.file_name, 'size', o.size, 'sha256', o.sha256, 'product', o.product))
              filter (where o.file_name is not null), '[]') as outputs
       from job_step js join step s on s.id = js.step_id left join step_output o on o.step_id = s.id
      where js.job_id = $1 and s.state = 'done' group by s.id`,
    [jobId],
  );
  return rows as { id: string; outputs: StepOutput[] }[];
}

/** Sends a done step whose products went missing back to waiting (and its dependants with it), to run for forJob. */
export async function invalidateSteps(db: Queryable, ids: string[], forJob: string | null = null): Promise<void> {
  if (!ids.length) return;
  await db.query(`delete from step_output where step_id = any($1)`, [ids]);
  await db.query(
    `update step set state = 'waiting', attempts = 0, ended_at = null, made_for_job = coalesce($2, made_for_job) where id = any($1) and state = 'done'`,
    [ids, forJob],
  );
}

export async function getStep(db: Queryable, id: string): Promise<StepRow | null> {
  const { rows } = await db.query(`select ${cols} from step where id = $1`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function stepsOfJob(db: Queryable, jobId: string): Promise<StepRow[]> {
  const { rows } = await db.query(
    `select ${cols.replace(/(^|,\s*)(\w+)/g, '$1s.$2')} from job_step js join step s on s.id = js.step_id where js.job_id = $1 order by js.position`,
    [jobId],
  );
  return rows.map(toRow);
}

export async function stepOutputs(db: Queryable, stepId: string): Promise<StepOutput[]> {
  const { rows } = await db.query(`select file_name, size, sha256, product from step_output where step_id = $1 order by file_name`, [stepId]);
  return rows.map((r) => ({ fileName: r.file_name, size: r.size, sha256: r.sha256, product: r.product }));
}

export async function touchSteps(db: Queryable, ids: string[]): Promise<void> {
  await db.query('update step set last_used_at = now() where id = any($1)', [ids]);
}

export type { Pool };

/** Bytes held by the products of done steps (the cache size). */
export async function cachedProductBytes(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number | null }>(`select sum(products_bytes)::bigint as n from step where state = 'done'`);
  return rows[0].n ?? 0;
}

/** Finished steps no job references any more (their jobs were destroyed), least recently used first. */
export async function unreferencedSteps(db: Queryable, limit: number): Promise<{ id: string; bytes: number }[]> {
  const { rows } = await db.query<{ id: string; bytes: number }>(
    `select id, products_bytes as bytes from step s
      where state in ('done', 'failed', 'cancelled') and not exists (select 1 from job_step js where js.step_id = s.id)
      order by last_used_at limit $1`,
    [limit],
  );
  return rows;
}

/** Deletes a step row unless a job took it up meanwhile; true when deleted (then its files may go). */
export async function deleteUnreferencedStep(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query(
    `delete from step s where s.id = $1 and s.state in ('done', 'failed', 'cancelled')
        and not exists (select 1 from job_step js where js.step_id = s.id)`,
    [id],
  );
  return r.rowCount === 1;
}
