// What the engine needs from the rest of the service besides the job manager's phase changes (JobPhaseChanges in
// domain/job.ts, implemented by uws/transitions.ts): the publisher that turns a finished plan into results.
import type { ResultInput } from '../domain/job.js';
import type { Plan } from '../domain/plan.js';

/** Turns a completed plan into the job's results; the SODA layer supplies one that cuts products. */
export type ResultPublisher = (jobId: string, plan: Plan) => Promise<ResultInput[]>;
