// The execution engine's composition: product store, job sync, worker, and the submit/cancel entry points
// the reduction job runner uses. One per process; `drsoda serve` and `drsoda worker` both build it.
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { Plan } from '../domain/plan.js';
import type { StepRunner } from '../executor/types.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { createJobTransitions } from '../uws/transitions.js';
import { createJobSync, publishTargetProducts, type ResultPublisher } from './job-sync.js';
import { evictProducts } from './cache-eviction.js';
import { ProductStore } from './product-store.js';
import { cancelJobSteps, submitPlan } from './submit.js';
import { createWorker, type Worker } from './worker.js';

export interface EngineOptions {
  pool: Pool;
  clientConfig: pg.ClientConfig;
  clock: Clock;
  log: Logger;
  runner: StepRunner;
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
  publish?: ResultPublisher;
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
  readonly workerId: string;
  submit(jobId: string, ownerId: string, plan: Plan, priority?: number): Promise<void>;
  cancel(jobId: string): Promise<number>;
  worker: Worker | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createEngine(o: EngineOptions): Engine {
  const products = new ProductStore(path.join(o.dataDir, 'products'));
  const workerId = o.workerId ?? makeWorkerId();
  const transitions = createJobTransitions({ pool: o.pool, clock: o.clock, dataDir: o.dataDir });
  const syncJob = createJobSync({
    pool: o.pool,
    transitions,
    publish: o.publish ?? publishTargetProducts(products, o.dataDir),
    log: o.log,
    onJobEnded: async (jobId) => {
      await o.runner.endJob?.(jobId);
    },
  });
  const maxAttempts = o.maxAttempts ?? 3;
  const worker = o.work
    ? createWorker({
        pool: o.pool,
        clientConfig: o.clientConfig,
        runner: o.runner,
        products,
        syncJob,
        markExecuting: transitions.markExecuting,
        archiveRoot: o.archiveRoot,
        workRoot: path.join(o.dataDir, 'work'),
        logsRoot: path.join(o.dataDir, 'logs'),
        workerId,
        concurrency: o.concurrency,
        leaseS: o.leaseS ?? 30,
        stepTimeoutS: o.stepTimeoutS,
        retryBaseS: o.retryBaseS ?? 2,
        agingS: o.agingS ?? 60,
        tickMs: o.tickMs ?? 5000,
        evict: o.cacheMaxBytes ? () => evictProducts(o.pool, products, o.cacheMaxBytes!, o.log).then(() => {}) : undefined,
        log: o.log.child({ workerId }),
      })
    : undefined;
  return {
    products,
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
