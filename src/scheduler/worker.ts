// A worker: claims ready steps (SKIP LOCKED + lease), runs them through a p-queue at the configured
// concurrency, renews leases while they run, records verdicts and keeps the jobs' phases in step.
// Woken by LISTEN/NOTIFY (step_ready, step_state); a slow safety tick recovers expired leases and backoffs.
import PQueue from 'p-queue';
import type { Logger } from '../logger.js';
import { STEP_ABORT_DETACH, type StepRunner } from '../executor/types.js';
import { withTransaction, type Pool } from '../store/db.js';
import { claimStep, finishStepDone, finishStepFailed, jobsToReconcile, liveJobsOfStep, releaseExpiredLeases, renewLease } from '../store/step-claim-store.js';
import { promoteReadySteps, type StepRow } from '../store/step-store.js';
import type { NotificationListener } from '../store/notification-listener.js';
import type { JobSync } from './job-sync.js';
import type { ProductStore } from './product-store.js';
import { runStep } from './run-step.js';
import { publishStepFinished } from './events.js';

export interface WorkerOptions {
  pool: Pool;
  /** The process's LISTEN connection: step_ready wakes claiming, step_state kills steps cancelled elsewhere. */
  listener: NotificationListener;
  runner: StepRunner;
  products: ProductStore;
  syncJob: JobSync;
  markExecuting: (jobId: string) => Promise<boolean>;
  archiveRoot: string;
  workRoot: string;
  logsRoot: string;
  workerId: string;
  concurrency: number;
  leaseS: number;
  stepTimeoutS: number;
  retryBaseS: number;
  agingS: number;
  /** Claim only steps planned for this pipeline id (store/step-claim-store.ts). */
  pipelineId?: string;
  tickMs: number;
  /** Cache eviction, run at most once a minute from the tick. */
  evict?: () => Promise<void>;
  log: Logger;
}

export interface Worker {
  start(): Promise<void>;
  /** Stops claiming; running steps are aborted and handed back as transient failures. */
  stop(): Promise<void>;
  /** Steps this worker is running now. */
  running(): string[];
  /** Claim now (tests and the submit path call it after creating ready steps in-process). */
  poke(): void;
}

export function createWorker(o: WorkerOptions): Worker {
  const queue = new PQueue({ concurrency: o.concurrency });
  const active = new Map<string, AbortController>();
  let unsubscribe: Array<() => void> = [];
  let sweeping: Promise<void> | undefined;
  let tick: NodeJS.Timeout | undefined;
  let stopping = false;
  let filling = false;
  let again = false;
  let lastEviction = 0;

  const syncJobsOf = async (stepId: string) => {
    for (const jobId of await liveJobsOfStep(o.pool, stepId)) {
      await o.syncJob(jobId).catch((err) => o.log.error({ err, jobId }, 'job sync failed'));
    }
  };

  const execute = async (row: StepRow, ac: AbortController) => {
    const log = o.log.child({ stepId: row.id, op: row.operation, attempt: row.attempts, owner: row.ownerId || null });
    const renew = setInterval(() => {
      renewLease(o.pool, row.id, o.workerId, o.leaseS).then(
        (ok) => {
          if (!ok) {
            log.warn('lease lost; stopping the step');
            ac.abort(STEP_ABORT_DETACH);
          }
        },
        (err) => log.warn({ err: (err as Error).message }, 'lease renewal failed'),
      );
    }, Math.max(500, (o.leaseS * 1000) / 3));
    try {
      const jobs = await liveJobsOfStep(o.pool, row.id);
      // A job is EXECUTING from its first running step (a no-op compare-and-set when it already is).
      await Promise.all(jobs.map((j) => o.markExecuting(j).catch(() => false)));
      log.info({ jobIds: jobs }, 'step started');
      const v = await runStep({
        step: row.spec,
        attempt: row.attempts,
        labels: { jobId: jobs.length === 1 ? jobs[0] : undefined, owner: row.ownerId || undefined, workerId: o.workerId },
        runner: o.runner,
        products: o.products,
        archiveRoot: o.archiveRoot,
        workRoot: o.workRoot,
        logsRoot: o.logsRoot,
        timeoutMs: o.stepTimeoutS * 1000,
        signal: ac.signal,
      });
      const info = { exitCode: v.exitCode, runtime: v.runtime, logPath: v.logPath, durationMs: v.durationMs };
      publishStepFinished({ operation: row.operation, outcome: v.ok ? 'ok' : v.kind, durationMs: v.durationMs });
      if (v.ok) {
        const recorded = await withTransaction(o.pool, (c) => finishStepDone(c, row.id, o.workerId, v.outputs, info));
        log.info({ recorded, ms: v.durationMs }, 'step done');
      } else if (v.kind === 'aborted') {
        // Cancelled (the row already says so) or shutting down: hand it back for another worker.
        if (stopping) await finishStepFailed(o.pool, row.id, o.workerId, 'transient', 'worker stopped', info, 0);
        log.info('step aborted');
      } else {
        const delay = o.retryBaseS * 2 ** Math.max(0, row.attempts - 1);
        const state = await finishStepFailed(o.pool, row.id, o.workerId, v.kind, v.message, info, delay);
        log.warn({ kind: v.kind, state, message: v.message }, 'step failed');
      }
      // Free the slot and claim the next step (perhaps a dependant just readied) before the job bookkeeping.
      active.delete(row.id);
      fill();
      await syncJobsOf(row.id);
    } catch (err) {
      log.error({ err }, 'step crashed the worker loop');
      await finishStepFailed(o.pool, row.id, o.workerId, 'transient', `worker error: ${(err as Error).message}`, { exitCode: null, runtime: null, logPath: null, durationMs: 0 }, o.retryBaseS).catch(() => {});
      await syncJobsOf(row.id).catch(() => {});
    } finally {
      clearInterval(renew);
      active.delete(row.id);
      fill();
    }
  };

  // Claims while there are free slots; one fill loop at a time, re-run if woken meanwhile.
  const fill = (): void => {
    if (stopping) return;
    if (filling) {
      again = true;
      return;
    }
    filling = true;
    void (async () => {
      try {
        do {
          again = false;
          while (!stopping && active.size < o.concurrency) {
            const row = await claimStep(o.pool, { workerId: o.workerId, leaseS: o.leaseS, agingS: o.agingS, pipelineId: o.pipelineId });
            if (!row) break;
            const ac = new AbortController();
            active.set(row.id, ac);
            void queue.add(() => execute(row, ac));
          }
        } while (again && !stopping);
      } catch (err) {
        o.log.warn({ err: (err as Error).message }, 'claiming steps failed; retrying on the next tick');
      } finally {
        filling = false;
      }
    })();
  };

  // A step cancelled by another process is killed here.
  const onStepState = (e: { stepId: string; state: string }) => {
    if (e.state === 'cancelled') active.get(e.stepId)?.abort();
  };

  return {
    async start() {
      unsubscribe = [o.listener.subscribe('step_ready', () => fill()), o.listener.subscribe('step_state', onStepState), o.listener.onReconnect(() => fill())];
      await o.listener.ready();
      const sweep = async () => {
        for (const r of await releaseExpiredLeases(o.pool)) {
          o.log.warn({ stepId: r.id, state: r.state }, 'expired lease released');
          await syncJobsOf(r.id);
        }
        // Safety nets: ready any step whose inputs are all done, and re-sync jobs with nothing left to run.
        await promoteReadySteps(o.pool, null);
        for (const jobId of await jobsToReconcile(o.pool)) await o.syncJob(jobId).catch(() => {});
        if (o.evict && Date.now() - lastEviction > 60000) {
          lastEviction = Date.now();
          await o.evict().catch((err) => o.log.warn({ err: (err as Error).message }, 'cache eviction failed'));
        }
        fill();
      };
      tick = setInterval(() => {
        // One sweep at a time, every failure logged, and stop() waits for the one under way: the pool may be
        // ended right after stop() returns.
        if (sweeping || stopping) return;
        sweeping = sweep()
          .catch((err) => {
            if (!stopping) o.log.warn({ err: (err as Error).message }, 'lease sweep failed');
          })
          .finally(() => {
            sweeping = undefined;
          });
      }, o.tickMs);
      fill();
    },
    async stop() {
      stopping = true;
      clearInterval(tick);
      for (const ac of active.values()) ac.abort(STEP_ABORT_DETACH);
      await sweeping;
      await queue.onIdle();
      for (const off of unsubscribe) off();
    },
    running: () => [...active.keys()],
    poke: fill,
  };
}
