// The contract between the scheduler and whatever runs a step's command: containers or local processes.

/** A file the step reads, placed in its work dir under `name` (read-only for containers). */
export interface StepInput {
  name: string;
  hostPath: string;
}

export interface StepLabels {
  stepId: string;
  jobId?: string;
  owner?: string;
  workerId?: string;
}

export interface StepRunRequest {
  labels: StepLabels;
  /** Full command: argv[0] is the program (`aaorun`), the rest its arguments. */
  argv: string[];
  /** Fresh, empty host directory; the command's cwd. Outputs are collected from it. */
  workDir: string;
  inputs: StepInput[];
  env: Record<string, string>;
  timeoutMs: number;
  /**
   * Aborting kills the command (job ABORT, shutdown). A runner whose steps outlive this process (Slurm) leaves
   * the step running when the reason is STEP_ABORT_DETACH, for the next worker to re-attach to.
   */
  signal?: AbortSignal;
  /** Receives output as it arrives, for logs and job progress. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

/** Why a run did not produce a usable exit status: only 'transient' is worth retrying. */
export type RunFailure = 'timeout' | 'aborted' | 'oom' | 'transient';

export interface StepRunResult {
  exitCode: number | null;
  failure?: RunFailure;
  /** Human-readable reason when failure is set. */
  message?: string;
  stdout: string;
  stderr: string;
  startedAt: Date;
  endedAt: Date;
  /** What ran: image id or digest for containers, the program path for local runs. */
  runtime: string;
}

/** The abort reason of a step this worker stops watching without cancelling it (shutdown, lost lease). */
export const STEP_ABORT_DETACH = 'drsoda:detach';

export interface StepRunner {
  readonly kind: 'docker' | 'local' | 'sandbox' | 'slurm';
  run(req: StepRunRequest): Promise<StepRunResult>;
  /** The job needs no more steps: release what was kept warm for it (sandboxes). */
  endJob?(jobId: string): Promise<void>;
  /** Releases daemon connections, sandboxes, timers. */
  close(): Promise<void>;
}

/** Output kept in memory per stream; the full log goes to onOutput. */
export const OUTPUT_TAIL_BYTES = 64 * 1024;

export function appendTail(buf: string, chunk: string, max = OUTPUT_TAIL_BYTES): string {
  const s = buf + chunk;
  return s.length > max ? s.slice(s.length - max) : s;
}
