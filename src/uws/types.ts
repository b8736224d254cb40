// The interface job kinds plug into the job manager: the runner and the context it drives a job through.
import type { Logger } from '../logger.js';
import type { Caller, ErrorInput, Job, JobParameter, ResultInput } from '../domain/job.js';

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
  setJobInfo(xml: string): Promise<boolean>;
  complete(results: ResultInput[]): Promise<boolean>;
  fail(error: ErrorInput): Promise<boolean>;
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
   * The jobInfo a new or re-parameterised PENDING job shows (e.g. the plan it will run); may do I/O, so it also
   * validates what validate() cannot (IDs against a database). Throws ServiceError('UsageError', ...) to reject.
   */
  describe?(params: readonly JobParameter[]): Promise<string | null>;
  /** Seconds the job will run, when the runner can tell; used for the quote before history exists. */
  estimateS?(params: readonly JobParameter[]): number | undefined;
  start(job: Job, ctx: RunContext): void | Promise<void>;
  /**
   * Best effort: stop work for a job already moved to ABORTED or ERROR, or deleted, in the store. Local runs
   * also see their RunContext signal fire; an engine running jobs elsewhere cancels them here.
   */
  abort(job: { id: string; kind: string }): void | Promise<void>;
}
