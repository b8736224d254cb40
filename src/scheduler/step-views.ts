// What clients may read of a job's steps (the web's DAG view, GET /soda/async/{id}/steps): state, timings,
// products and where each step's log is, read from the step tables for the router.
import type { Pool } from '../store/db.js';
import { jobStepLogPath, jobStepViews, type StepView } from '../store/step-view-store.js';

export type { StepView };

export interface StepViews {
  /** Every step of the job, in plan order. */
  ofJob(jobId: string): Promise<StepView[]>;
  /** The latest log file of the job's step; null when the step is not the job's or has no log. */
  logPath(jobId: string, stepId: string): Promise<string | null>;
}

export function createStepViews(pool: Pool): StepViews {
  return {
    ofJob: (jobId) => jobStepViews(pool, jobId),
    logPath: (jobId, stepId) => jobStepLogPath(pool, jobId, stepId),
  };
}
