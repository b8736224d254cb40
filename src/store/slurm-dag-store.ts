// Slurm DAG hand-over (SLURM_SUBMIT=dag): the waiting steps below a submitted one, and the locked check-and-record
// that lets exactly one worker submit a waiting step ahead of time (executor/slurm/dag-submit.ts).
import type { Step } from '../domain/plan.js';
import { withTransaction, type Pool } from './db.js';

export interface DagCandidate {
  stepId: string;
  step: Step;
  /** Live UWS jobs that need the step (its Slurm comment names the one, or says `shared`). */
  jobIds: string[];
}

export interface DagParent {
  stepId: string;
  state: string;
  /** The parent's recorded Slurm job, if it has one. */
  slurmJobId: string | null;
}

export interface AheadRecord {
  stepId: string;
  slurmJobId: string;
  jobDir: string;
  afterOk: string[];
}

/**
 * Waiting steps reachable from `stepId` through its dependants, parents before children (by longest path), planned
 * for the same pipeline and not yet handed to Slurm.
 */
export async function waitingDescendants(db: Pool, stepId: string): Promise<DagCandidate[]> {
  const { rows } = await db.query<{ id: string; spec: Step; job_ids: string[] }>(
    `with recursive d(id, depth) as (
       select step_id, 1 from step_dependency where depends_on = $1
       union
       select sd.step_id, d.depth + 1 from step_dependency sd join d on sd.depends_on = d.id where d.depth < 64
     )
     select s.id, s.spec, array(select js.job_id from job_step js join uws_job j on j.id = js.job_id
                                 where js.step_id = s.id and j.phase in ('QUEUED', 'EXECUTING') order by js.job_id) as job_ids
       from d join step s on s.id = d.id
      where s.state = 'waiting' and s.pipeline_id is not distinct from (select pipeline_id from step where id = $1)
        and not exists (select 1 from slurm_job r where r.step_id = s.id)
      group by s.id, s.spec order by max(d.depth), s.id`,
    [stepId],
  );
  return rows.map((r) => ({ stepId: r.id, step: r.spec, jobIds: r.job_ids }));
}

/**
 * Under a lock on the step's row: when it still waits and has no Slurm job, hands its parents to `submit`, and
 * records the job `submit` returns (null: not now). Two workers finishing two parents at once serialise here,
 * and the second sees the first's record, so a step is never submitted twice. When recording fails the
 * transaction rolls back and the error reaches the caller, who must cancel what it submitted.
 */
export async function handOverStep(db: Pool, stepId: string, submit: (parents: DagParent[]) => Promise<AheadRecord | null>): Promise<AheadRecord | null> {
  return withTransaction(db, async (c) => {
    const { rows } = await c.query<{ state: string }>('select state from step where id = $1 for update', [stepId]);
    if (rows[0]?.state !== 'waiting') return null;
    if ((await c.query('select 1 from slurm_job where step_id = $1', [stepId])).rowCount) return null;
    const parents = await c.query<{ id: string; state: string; slurm_job_id: string | null }>(
      `select p.id, p.state, r.slurm_job_id from step_dependency d join step p on p.id = d.depends_on
         left join slurm_job r on r.step_id = p.id where d.step_id = $1 order by p.id`,
      [stepId],
    );
    const rec = await submit(parents.rows.map((p) => ({ stepId: p.id, state: p.state, slurmJobId: p.slurm_job_id })));
    if (!rec) return null;
    await c.query('insert into slurm_job (step_id, slurm_job_id, job_dir, ahead, after_ok) values ($1, $2, $3, true, $4)', [rec.stepId, rec.slurmJobId, rec.jobDir, rec.afterOk]);
    return rec;
  });
}

/** The port dag-submit.ts takes. */
export function slurmDagRecords(db: Pool) {
  return {
    waitingDescendants: (stepId: string) => waitingDescendants(db, stepId),
    handOver: (stepId: string, submit: (parents: DagParent[]) => Promise<AheadRecord | null>) => handOverStep(db, stepId, submit),
  };
}
