// Keeps a job's UWS phase truthful to its steps: EXECUTING once work runs, COMPLETED with results when
// every step is done, ERROR when a step it needs failed for good (then its other steps are cancelled).
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { cancelStepsOfJob, jobSyncState } from '../store/step-claim-store.js';
import { loadJobPlan, stepsOfJob } from '../store/step-store.js';
import type { JobPhaseChanges, ResultInput } from '../domain/job.js';
import type { ResultPublisher } from './ports.js';
import type { ProductStore } from './product-store.js';

/** Every target product, hard-linked into the job's folder (jobDirOf) under its 2dFdr name. */
export function publishTargetProducts(products: ProductStore, jobDirOf: (jobId: string) => string): ResultPublisher {
  return async (jobId, plan) => {
    const results: ResultInput[] = [];
    const seen = new Set<string>();
    for (const t of plan.targets) {
      for (const p of t.products) {
        if (seen.has(p.fileName)) continue;
        seen.add(p.fileName);
        const rel = path.join('results', p.fileName);
        await products.publish(p.stepId, p.fileName, path.join(jobDirOf(jobId), rel));
        results.push({ id: p.fileName.replace(/\.fits$/i, ''), file: rel, mimeType: 'application/fits' });
      }
    }
    return results;
  };
}

export interface JobSyncDeps {
  pool: Pool;
  transitions: JobPhaseChanges;
  publish: ResultPublisher;
  log: Logger;
  /** Called when a job needs no more steps (sandbox release). */
  onJobEnded?: (jobId: string) => Promise<void>;
}

export function createJobSync(d: JobSyncDeps) {
  const lastProgress = new Map<string, number>();
  return async function syncJob(jobId: string): Promise<void> {
    const state = await jobSyncState(d.pool, jobId);
    if (!state || (state.phase !== 'QUEUED' && state.phase !== 'EXECUTING')) return;
    const job = { phase: state.phase };
    const counts = state.counts;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const done = counts.done ?? 0;
    if (counts.failed || counts.cancelled) {
      const steps = await stepsOfJob(d.pool, jobId);
      const bad = steps.find((s) => s.state === 'failed') ?? steps.find((s) => s.state === 'cancelled');
      const message = bad?.state === 'failed'
        ? `step ${bad.label} failed after ${bad.attempts} attempt(s): ${bad.errorMessage ?? 'unknown error'}`
        : `step ${bad?.label} was cancelled`;
      const type = bad?.failureKind === 'transient' ? 'transient' : 'fatal';
      if (await d.transitions.fail(jobId, { type, message: `Error: ${message}` })) {
        const running = await cancelStepsOfJob(d.pool, jobId);
        d.log.info({ jobId, cancelled: running.length, message }, 'job failed');
        await d.onJobEnded?.(jobId);
      }
      return;
    }
    if (total > 0 && done === total) {
      const plan = await loadJobPlan(d.pool, jobId);
      if (!plan) return;
      if (job.phase === 'QUEUED') await d.transitions.markExecuting(jobId);
      try {
        const results = await d.publish(jobId, plan);
        await d.transitions.complete(jobId, results);
        d.log.info({ jobId, results: results.length }, 'job completed');
      } catch (err) {
        await d.transitions.fail(jobId, { type: 'fatal', message: `Error: publishing results failed: ${(err as Error).message}` });
      }
      await d.onJobEnded?.(jobId);
      return;
    }
    if (job.phase === 'QUEUED' && (counts.running || done)) await d.transitions.markExecuting(jobId);
    // Progress is informative: write it at most every 250 ms per job, not after every step.
    const now = Date.now();
    if (total && now - (lastProgress.get(jobId) ?? 0) > 250) {
      lastProgress.set(jobId, now);
      if (lastProgress.size > 10000) lastProgress.clear();
      await d.transitions.progress(jobId, { fraction: done / total, message: `${done} of ${total} steps done` }).catch(() => false);
    }
  };
}

export type JobSync = ReturnType<typeof createJobSync>;
