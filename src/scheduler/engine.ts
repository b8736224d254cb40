// The execution engine: job sync, worker, and the submit/cancel entry points the reduction job runner uses.
// One per process, built by the composition root (src/factory.ts) for `drsoda serve`, `worker` and `watch`.
import os from 'node:os';
import path from 'node:path';
import type { PipelineIdentity, Plan } from '../domain/plan.js';
import type { StepRunner } from '../executor/types.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import type { NotificationListener } from '../store/notification-listener.js';
import { createJobSync } from './job-sync.js';
import type { JobPhaseChanges } from '../domain/job.js';
import type { ResultPublisher } from './ports.js';
import { evictProducts } from './cache-eviction.js';
import { ProductStore } from './product-store.js';
import { cancelJobSteps, submitPlan } from './submit.js';
import { createWorker, type Worker } from './worker.js';

export interface EngineOptions {
  pool: Pool;
  /** The process's LISTEN connection (not closed by the engine). */
  listener: NotificationListener;
  log: Logger;
  runner: StepRunner;
  /**
   * The reducer the runner runs (RunnerChoice.pipeline): plans for this engine hash it into their step ids, and
   * its worker claims only steps planned for it.
   */
  pipeline: PipelineIdentity;
  /** Where the UWS phases of the jobs whose plans run here are changed (uws/transitions.ts). */
  phases: JobPhaseChanges;
  /** A finished plan's results (SODA cuts, previews); see ports.ts. */
  publish: ResultPublisher;
  /** The content-addressed product store; default DATA_DIR/products. */
  products?: ProductStore;
  /** DATA_DIR: products, work dirs and step logs live under it. */
  dataDir: string;
  archiveRoot: string;
  /** Run a worker in this process (false for an API-only process). */
  work: boolean;
  concurrency: number;
  stepTimeoutS: number;
  leaseS?: number;
  maxAttempts?: number;
  retryBaseS?: number;
  agingS?: number;
  tickMs?: number;
  workerId?: string;
  /** Product cache limit; checked by the worker about once a minute. */
  cacheMaxBytes?: number;
}

/** host:pid:random — the reaper reads host and pid back to find workers that died. */
export function makeWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

export interface Engine {
  readonly products: ProductStore;
  /** What this process's runner reduces with: the SODA planner puts it into every step id. */
  readonly pipeline: PipelineIdentity;
  readonly workerId: string;
  submit(jobId: string, ownerId: string, plan: Plan, priority?: number): Promise<void>;
  cancel(jobId: string): Promise<number>;
  worker: Worker | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createEngine(o: EngineOptions): Engine {
  const products = o.products ?? new ProductStore(path.join(o.dataDir, 'products'));
  const workerId = o.workerId ?? makeWorkerId();
  const syncJob = createJobSync({
    pool: o.pool,
    transitions: o.phases,
    publish: o.publish,
    log: o.log,
    onJobEnded: async (jobId) => {
      await o.runner.endJob?.(jobId);
    },
  });
  const maxAttempts = o.maxAttempts ?? 3;
  const worker = o.work
    ? createWorker({
        pool: o.pool,
        listener: o.listener,
        runner: o.runner,
        products,
        syncJob,
        markExecuting: o.phases.markExecuting,
        archiveRoot: o.archiveRoot,
        workRoot: path.join(o.dataDir, 'work'),
        logsRoot: path.join(o.dataDir, 'logs'),
        workerId,
        concurrency: o.concurrency,
        leaseS: o.leaseS ?? 30,
        stepTimeoutS: o.stepTimeoutS,
        retryBaseS: o.retryBaseS ?? 2,
        agingS: o.agingS ?? 60,
        pipelineId: o.pipeline.id,
        tickMs: o.tickMs ?? 5000,
        evict: o.cacheMaxBytes ? () => evictProducts(o.pool, products, o.cacheMaxBytes!, o.log).then(() => {}) : undefined,
        log: o.log.child({ workerId }),
      })
    : undefined;
  return {
    products,
    pipeline: o.pipeline,
    workerId,
    worker,
    submit: async (jobId, ownerId, plan, priority) => {
      await submitPlan({ pool: o.pool, products, syncJob, maxAttempts }, jobId, ownerId, plan, priority);
      worker?.poke();
    },
    cancel: async (jobId) => {
      const n = await cancelJobSteps(o.pool, jobId);
      await o.runner.endJob?.(jobId);
      return n;
    },
    start: async () => {
      await worker?.start();
    },
    stop: async () => {
      await worker?.stop();
      await o.runner.close();
    },
  };
}
