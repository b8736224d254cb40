// Hands a job's plan to the engine: links the job to its steps (sharing and reusing existing ones),
// checks cached products are really there, readies what can run, and syncs the job's phase at once
// (a job whose every step is cached completes without running anything).
import type { Plan } from '../domain/plan.js';
import { withTransaction, type Pool } from '../store/db.js';
import { cancelStepsOfJob } from '../store/step-claim-store.js';
import { attachPlanSteps, doneStepsOfJob, invalidateSteps, promoteReadySteps, saveJobPlan, touchSteps } from '../store/step-store.js';
import type { JobSync } from './job-sync.js';
import type { ProductStore } from './product-store.js';
import { publishCacheLookup } from './events.js';

export interface SubmitDeps {
  pool: Pool;
  products: ProductStore;
  syncJob: JobSync;
  maxAttempts: number;
}

export async function submitPlan(d: SubmitDeps, jobId: string, ownerId: string, plan: Plan, priority = 0): Promise<void> {
  await withTransaction(d.pool, async (c) => {
    await saveJobPlan(c, jobId, plan);
    await attachPlanSteps(c, jobId, ownerId, priority, plan.steps, d.maxAttempts, plan.pipeline);
  });
  const done = await doneStepsOfJob(d.pool, jobId);
  const missing: string[] = [];
  for (const s of done) if (!(await d.products.verify(s.id, s.outputs))) missing.push(s.id);
  await invalidateSteps(d.pool, missing, jobId);
  publishCacheLookup({ hits: done.length - missing.length, misses: plan.steps.length - done.length + missing.length });
  await touchSteps(d.pool, done.map((s) => s.id));
  await promoteReadySteps(d.pool, plan.steps.map((s) => s.id));
  await d.syncJob(jobId);
}

/** Cancels the job's steps no other live job needs; running ones are killed by their workers. */
export async function cancelJobSteps(pool: Pool, jobId: string): Promise<number> {
  return (await cancelStepsOfJob(pool, jobId)).length;
}
