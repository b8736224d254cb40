// The job vocabulary every layer shares: UWS phases, the job record, its parameters, results and errors, and the caller.

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
  /**
   * Changes with every change of the job (its row, parameters or results), never repeats: the store takes it from
   * one sequence on every write. The HTTP validators (ETag) are made from it.
   */
  version: string;
}

/** A job list row (uws:jobref). */
export interface JobRef {
  id: string;
  /** As Job.version. */
  version: string;
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


/** Whose jobs' products a request may see: every owner's (admins), one owner's, or nobody's. */
export type OwnerScope = { kind: 'all' } | { kind: 'owner'; ownerId: string | null } | { kind: 'none' };

/**
 * Compare-and-set phase changes of the UWS job a plan belongs to. Each returns false when the job was no
 * longer in a phase that allows the change (aborted, expired, destroyed): the engine then stops quietly.
 */
export interface JobPhaseChanges {
  /** QUEUED -> EXECUTING. */
  markExecuting(jobId: string): Promise<boolean>;
  /** While EXECUTING: fraction in [0, 1] and/or a message. */
  progress(jobId: string, p: { fraction?: number; message?: string }): Promise<boolean>;
  /** EXECUTING -> COMPLETED with results; throws (writing nothing) for a bad result list. */
  complete(jobId: string, results: ResultInput[]): Promise<boolean>;
  /** QUEUED/EXECUTING -> ERROR. */
  fail(jobId: string, error: ErrorInput): Promise<boolean>;
}
