// slurm_job: the Slurm batch job of each step handed to Slurm (migrations/000010_slurm_jobs.sql), read back
// by a restarted worker to re-attach instead of submitting twice.
import type { Queryable } from './db.js';

export interface SlurmJobRow {
  stepId: string;
  slurmJobId: string;
  jobDir: string;
  /** Submitted ahead with the job's DAG (store/slurm-dag-store.ts), before the step was ready. */
  ahead?: boolean;
  /** Only from orphanSlurmJobs: the step is recorded done, so its job finished and was collected. */
  stepDone?: boolean;
}

type Row = { step_id: string; slurm_job_id: string; job_dir: string; ahead?: boolean; step_done?: boolean };
const toRecord = (r: Row): SlurmJobRow => ({
  stepId: r.step_id, slurmJobId: r.slurm_job_id, jobDir: r.job_dir, ...(r.ahead ? { ahead: true } : {}), ...(r.step_done ? { stepDone: true } : {}),
});

export async function findSlurmJob(db: Queryable, stepId: string): Promise<SlurmJobRow | null> {
  const { rows } = await db.query<Row>('select step_id, slurm_job_id, job_dir, ahead from slurm_job where step_id = $1', [stepId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** One job per step: a newer submission replaces the row of one that was collected or abandoned. */
export async function recordSlurmJob(db: Queryable, r: SlurmJobRow): Promise<void> {
  await db.query(
    `insert into slurm_job (step_id, slurm_job_id, job_dir) values ($1, $2, $3)
     on conflict (step_id) do update set slurm_job_id = excluded.slurm_job_id, job_dir = excluded.job_dir, submitted_at = now(),
       ahead = false, after_ok = '{}'`,
    [r.stepId, r.slurmJobId, r.jobDir],
  );
}

export async function forgetSlurmJob(db: Queryable, stepId: string, slurmJobId: string): Promise<void> {
  await db.query('delete from slurm_job where step_id = $1 and slurm_job_id = $2', [stepId, slurmJobId]);
}

/** Jobs whose step no longer runs nor waits to run (cancelled, failed or done): Slurm should not keep them. */
export async function orphanSlurmJobs(db: Queryable): Promise<SlurmJobRow[]> {
  const { rows } = await db.query<Row>(
    `select j.step_id, j.slurm_job_id, j.job_dir, s.state = 'done' as step_done from slurm_job j join step s on s.id = j.step_id
      where s.state in ('cancelled', 'failed', 'done') order by j.submitted_at limit 100`,
  );
  return rows.map(toRecord);
}

/** Every recorded job (doctor, tests). */
export async function listSlurmJobs(db: Queryable): Promise<SlurmJobRow[]> {
  const { rows } = await db.query<Row>('select step_id, slurm_job_id, job_dir from slurm_job order by submitted_at');
  return rows.map(toRecord);
}

/** The records port the Slurm runner takes (executor/slurm/slurm-runner.ts SlurmJobRecords). */
export function slurmJobRecords(db: Queryable) {
  return {
    find: (stepId: string) => findSlurmJob(db, stepId),
    record: (r: SlurmJobRow) => recordSlurmJob(db, r),
    forget: (stepId: string, slurmJobId: string) => forgetSlurmJob(db, stepId, slurmJobId),
    orphans: () => orphanSlurmJobs(db),
  };
}
