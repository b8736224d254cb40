// The interface job kinds plug into the job manager: the runner and the context it drives a job through.
import type { Logger } from '../logger.js';
import type { Caller, ErrorInput, Job, JobParameter, ResultInput } from '../domain/job.js';
import type { Plan } from '../domain/plan.js';

/**
 * Compare-and-set transitions a runner drives. Each returns false when the job was no longer in a
 * phase that allows the change (aborted, expired, destroyed): the runner then stops quietly.
 * Worker processes get the same operations from createJobTransitions (uws/transitions.ts).
 */
export interface RunContext {
  /** Aborted when the job is aborted, runs out of time or is destroyed, or the process shuts down. */
  signal: AbortSignal;
  /** The job's own directory (created on demand); result files live here. */
  workDir: string;
  log: Logger;
  markExecuting(): Promise<boolean>;
  progress(p: { fraction?: number; message?: string }): Promise<boolean>;
  /** Replaces the jobInfo; with plan, also the plan served at {job}/plan (null: the job has none). */
  setJobInfo(xml: string, plan?: Plan | null): Promise<boolean>;
  complete(results: ResultInput[]): Promise<boolean>;
  fail(error: ErrorInput): Promise<boolean>;
}

/** What a runner says of a new or re-parameterised job: its jobInfo and the plan that jobInfo summarises. */
export interface JobDescription {
  /** A well-formed XML fragment (checked before it is stored, then written into the job document as it is). */
  jobInfo: string | null;
  /** Served at {job}/plan; absent or null when the job has no plan. */
  plan?: Plan | null;
}

/** A job kind. start() may return at once (a queue-backed engine) or run the job in-process. */
export interface JobRunner {
  readonly kind: string;
  /**
   * Throws ServiceError('AuthorizationError', ...) when this caller may not give these parameters (e.g. PRIORITY,
   * src/watch/priority.ts); called before validate when a job is created or its parameters change.
   */
  authorize?(caller: Caller, params: readonly JobParameter[]): void;
  /** Throws ServiceError('UsageError', ...) for parameters this kind cannot run; nothing is stored then. */
  validate(params: readonly JobParameter[]): void;
  /**
   * The jobInfo a new or re-parameterised PENDING job shows (e.g. a summary of the plan it will run, linking the
   * plan) and that plan; may do I/O, so it also validates what validate() cannot (IDs against a database). Throws
   * ServiceError('UsageError', ...) to reject.
   */
  describe?(params: readonly JobParameter[], job: { id: string }): Promise<JobDescription>;
  /** Seconds the job will run, when the runner can tell; used for the quote before history exists. */
  estimateS?(params: readonly JobParameter[]): number | undefined;
  start(job: Job, ctx: RunContext): void | Promise<void>;
  /**
   * Best effort: stop work for a job already moved to ABORTED or ERROR, or deleted, in the store. Local runs
   * also see their RunContext signal fire; an engine running jobs elsewhere cancels them here.
   */
  abort(job: { id: string; kind: string }): void | Promise<void>;
}
