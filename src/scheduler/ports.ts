// What the engine needs from the rest of the service, as interfaces the composition root fills: the job
// manager's phase changes (uws implements them) and the publisher that turns a finished plan into results.
import type { ErrorInput, ResultInput } from '../domain/job.js';
import type { Plan } from '../domain/plan.js';

/**
 * Compare-and-set phase changes of the UWS job a plan belongs to. Each returns false when the job was no
 * longer in a phase that allows the change (aborted, expired, destroyed): the engine then stops quietly.
 */
export interface JobPhasePort {
  /** QUEUED -> EXECUTING. */
  markExecuting(jobId: string): Promise<boolean>;
  /** While EXECUTING: fraction in [0, 1] and/or a message. */
  progress(jobId: string, p: { fraction?: number; message?: string }): Promise<boolean>;
  /** EXECUTING -> COMPLETED with results; throws (writing nothing) for a bad result list. */
  complete(jobId: string, results: ResultInput[]): Promise<boolean>;
  /** QUEUED/EXECUTING -> ERROR. */
  fail(jobId: string, error: ErrorInput): Promise<boolean>;
}

/** Turns a completed plan into the job's results; the SODA layer supplies one that cuts products. */
export type ResultPublisher = (jobId: string, plan: Plan) => Promise<ResultInput[]>;
