// Read-only views of a job's steps for the web front end and API clients (GET /soda/async/{id}/steps): one
// query for the whole DAG with each step's state, timings and published products, without the bulky spec.
import type { Queryable } from './db.js';
import type { FailureKind, StepState } from './step-store.js';

export interface StepView {
  id: string;
  position: number;
  operation: string;
  label: string;
  night: string | null;
  arm: string | null;
  state: StepState;
  attempts: number;
  maxAttempts: number;
  readyAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  estimatedCostS: number | null;
  dependsOn: string[];
  exitCode: number | null;
  failureKind: FailureKind | null;
  errorMessage: string | null;
  runtime: string | null;
  /** The pipeline the step was planned for (its id is part of the step id); null for steps before migration 7. */
  pipeline: string | null;
  hasLog: boolean;
  /**
   * Set when another job's run made the step: 'reused' when it was done before this job linked to it, 'shared' when
   * it had started for another job by then. jobId names that job only while it exists and has this job's owner.
   */
  madeBy: { kind: 'reused' | 'shared'; jobId: string | null } | null;
  /** Product files of a done step (outputs later steps or users consume). */
  products: { fileName: string; size: number }[];
}

/** Every step of a job in plan (dependency) order; empty when the job has no steps (yet). */
export async function jobStepViews(db: Queryable, jobId: string): Promise<StepView[]> {
  const { rows } = await db.query(
    `select s.id, js.position, s.operation, s.label, s.spec->>'night' as night, s.spec->>'arm' as arm, s.state,
            s.attempts, s.max_attempts, s.ready_at, s.started_at, s.ended_at, s.duration_ms,
            (s.spec->>'estimatedCostS')::float8 as estimated_cost_s, coalesce(s.spec->'dependsOn', '[]'::jsonb) as depends_on,
            s.exit_code, s.failure_kind, s.error_message, s.runtime, s.pipeline, s.log_path is not null as has_log,
            case when js.linked_at is null or s.started_at is null or s.started_at >= js.linked_at
                      or s.made_for_job is not distinct from js.job_id then null
                 when s.state = 'done' and s.ended_at <= js.linked_at then 'reused' else 'shared' end as made_by,
            (select m.id from uws_job m join uws_job me on me.id = js.job_id
              where m.id = s.made_for_job and m.owner_id is not distinct from me.owner_id) as made_by_job,
            coalesce((select json_agg(json_build_object('fileName', o.file_name, 'size', o.size) order by o.file_name)
                        from step_output o where o.step_id = s.id and o.product and s.state = 'done'), '[]'::json) as products
       from job_step js join step s on s.id = js.step_id
      where js.job_id = $1
      order by js.position`,
    [jobId],
  );
  return rows.map((r) => ({
    id: r.id,
    position: r.position,
    operation: r.operation,
    label: r.label,
    night: r.night,
    arm: r.arm,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    readyAt: r.ready_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    estimatedCostS: r.estimated_cost_s,
    dependsOn: r.depends_on,
    exitCode: r.exit_code,
    failureKind: r.failure_kind,
    errorMessage: r.error_message,
    runtime: r.runtime,
    pipeline: r.pipeline,
    hasLog: r.has_log,
    madeBy: r.made_by ? { kind: r.made_by, jobId: r.made_by_job } : null,
    products: r.products,
  }));
}

/** The log file of one step of a job (null when the step is not the job's or has no log yet). */
export async function jobStepLogPath(db: Queryable, jobId: string, stepId: string): Promise<string | null> {
  const { rows } = await db.query<{ log_path: string | null }>(
    `select s.log_path from job_step js join step s on s.id = js.step_id where js.job_id = $1 and js.step_id = $2`,
    [jobId, stepId],
  );
  return rows[0]?.log_path ?? null;
}
