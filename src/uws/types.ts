// The job manager's vocabulary: UWS phases, the job record, and the runner interface job kinds plug into.
import type { Logger } from '../logger.js';

/** UWS 1.1 section 2.1.3 execution phases, upper-case as the standard writes them. */
export const phases = ['PENDING', 'QUEUED', 'EXECUTING', 'COMPLETED', 'ERROR', 'ABORTED', 'UNKNOWN', 'HELD', 'SUSPENDED', 'ARCHIVED'] as const;
export type Phase = (typeof phases)[number];

export const isPhase = (s: string): s is Phase => (phases as readonly string[]).includes(s);

/** Phases a client may still abort, and in which a blocking WAIT blocks (UWS 1.1 section 2.2.1.1). */
export const activePhases: readonly Phase[] = ['PENDING', 'QUEUED', 'EXECUTING', 'HELD', 'SUSPENDED'];
export const waitablePhases: readonly Phase[] = ['PENDING', 'QUEUED', 'EXECUTING'];
export const terminalPhases: readonly Phase[] = ['COMPLETED', 'ERROR', 'ABORTED', 'ARCHIVED'];

export interface JobParameter {
  /** Upper-cased (DALI: names are case-insensitive). */
  name: string;
  value: string;
  byReference: boolean;
}

export interface JobResult {
  id: string;
  /** Absolute URL for results held elsewhere; null when the file lives in the job's directory. */
  href: string | null;
  /** Path relative to the job's directory, for results we serve ourselves. */
  path: string | null;
  mimeType: string | null;
  size: number | null;
}

export type ErrorType = 'fatal' | 'transient';

export interface JobError {
  type: ErrorType;
  message: string;
  /** The document served at /error; when absent a VOTable error document is made from message. */
  detail: string | null;
  detailType: string | null;
}

export interface Job {
  id: string;
  kind: string;
  ownerId: string | null;
  runId: string | null;
  phase: Phase;
  quote: Date | null;
  creationTime: Date;
  startTime: Date | null;
  endTime: Date | null;
  executionDuration: number;
  destruction: Date | null;
  error: JobError | null;
  jobInfo: string | null;
  progress: { fraction: number | null; message: string | null } | null;
  parameters: JobParameter[];
  results: JobResult[];
}

/** A job list row (uws:jobref). */
export interface JobRef {
  id: string;
  phase: Phase;
  runId: string | null;
  ownerId: string | null;
  creationTime: Date;
}

/** Who is asking: userId null is the anonymous owner; admins see and touch every job. */
export interface Caller {
  userId: string | null;
  admin: boolean;
}

/** What a runner hands back on success; give either file (inside workDir) or an absolute href. */
export interface ResultInput {
  id: string;
  file?: string;
  href?: string;
  mimeType?: string;
  size?: number;
}

export interface ErrorInput {
  type: ErrorType;
  message: string;
  detail?: string;
  detailType?: string;
}

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
