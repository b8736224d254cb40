// Runs started by this process: each gets an AbortSignal that fires when the job is aborted, expires or
// is destroyed (by this or any other process, via the phase listener) or when the process shuts down.
import type { Logger } from '../logger.js';
import { retryWhileUnavailable } from '../store/db.js';
import { jobDir } from './job-files.js';
import type { JobTransitions } from './transitions.js';
import type { Job } from '../domain/job.js';
import type { JobRunner, RunContext } from './types.js';

/** The abort reason a runner sees when the process stops (not the job): it may fail the job as transient. */
export const shutdownReason = 'shutdown';

/**
 * How a runner's start() ended: 'started' (it returned, or threw and the job was failed), or 'interrupted' (the
 * process began shutting down meanwhile, so the job may not have reached its runner: another process should take it).
 */
export type StartOutcome = 'started' | 'interrupted';

export interface Executions {
  /** Starts the run; resolves when the runner's start() has settled (the run itself may go on). */
  start(job: Job, runner: JobRunner): Promise<StartOutcome>;
  /** Fires the signal of a local run, if there is one. */
  abortLocal(jobId: string, reason: string): void;
  /** Aborts every local run with shutdownReason and waits (up to graceMs) for the runners to settle. */
  close(graceMs: number): Promise<void>;
}

export function createExecutions(d: { transitions: JobTransitions; dataDir: string; log: Logger }): Executions {
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  // A run is forgotten once its job is final: the runner ended it, or an abort/expiry/delete arrived.
  const forget = (jobId: string, controller: AbortController) => {
    if (running.get(jobId)?.controller === controller) running.delete(jobId);
  };
  const ending = (jobId: string, controller: AbortController) => (ok: boolean) => {
    if (ok) forget(jobId, controller);
    return ok;
  };

  // A database restart must not strand a run: its phase changes are retried until the database is back.
  const context = (job: Job, controller: AbortController, log: Logger): RunContext => ({
    signal: controller.signal,
    workDir: jobDir(d.dataDir, job.id),
    log,
    markExecuting: () => retryWhileUnavailable(() => d.transitions.markExecuting(job.id)),
    progress: (p) => retryWhileUnavailable(() => d.transitions.progress(job.id, p)),
    setJobInfo: (xml) => retryWhileUnavailable(() => d.transitions.setJobInfo(job.id, xml)),
    complete: (results) => retryWhileUnavailable(() => d.transitions.complete(job.id, results)).then(ending(job.id, controller)),
    fail: (e) => retryWhileUnavailable(() => d.transitions.fail(job.id, e)).then(ending(job.id, controller)),
  });

  return {
    start(job, runner) {
      const controller = new AbortController();
      const log = d.log.child({ jobId: job.id, kind: job.kind });
      const ctx = context(job, controller, log);
      // start() may return at once (an engine that runs the job elsewhere): the entry then stays until
      // the job is final, so the signal still fires on abort, expiry or delete.
      const started = (async (): Promise<StartOutcome> => {
        try {
          await runner.start(job, ctx);
        } catch (err) {
          // A runner that throws leaves the job in ERROR rather than stuck in QUEUED/EXECUTING.
          log.error({ err }, 'runner failed');
          await ctx.fail({ type: 'fatal', message: `Error: the job failed unexpectedly: ${(err as Error).message}` }).catch((e) => log.error({ err: e }, 'could not record the failure'));
        }
        return controller.signal.aborted && controller.signal.reason === shutdownReason ? 'interrupted' : 'started';
      })();
      running.set(job.id, { controller, done: started.then(() => {}) });
      return started;
    },
    abortLocal(jobId, reason) {
      const r = running.get(jobId);
      if (!r) return;
      running.delete(jobId);
      r.controller.abort(reason);
    },
    async close(graceMs) {
      const all = [...running.values()];
      for (const r of all) r.controller.abort(shutdownReason);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled(all.map((r) => r.done)), new Promise((res) => (timer = setTimeout(res, graceMs)))]);
      clearTimeout(timer);
    },
  };
}
