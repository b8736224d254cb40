// An execution engine on a test database, with the local runner driving the fake aaorun.
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/clock.js';
import type { Plan } from '../../src/domain/plan.js';
import { createLocalRunner } from '../../src/executor/local-runner.js';
import { testPipeline } from './fake-plan.js';
import type { StepRunner } from '../../src/executor/types.js';
import { createLogger } from '../../src/logger.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/scheduler/engine.js';
import { publishTargetProducts } from '../../src/scheduler/job-sync.js';
import { ProductStore } from '../../src/scheduler/product-store.js';
import { createNotificationListener } from '../../src/store/notification-listener.js';
import { jobDir } from '../../src/uws/job-files.js';
import { createJobTransitions } from '../../src/uws/transitions.js';
import { insertJob, getJob } from '../../src/store/job-store.js';
import type { Pool } from '../../src/store/db.js';
import type { Job } from '../../src/domain/job.js';

export const fakeAaorun = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/fake-aaorun.sh');

export function localFakeRunner(): StepRunner {
  return createLocalRunner({ programs: { aaorun: ['sh', fakeAaorun] } });
}

/** An archive folder with the named raw files. */
export function fakeArchive(files: string[]): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-archive-'));
  chmodSync(root, 0o755);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), `raw ${f}\n`);
  }
  return root;
}

/**
 * An engine on its own LISTEN connection (closed by stop()), the fake aaorun as local processes, and the default
 * publisher (every target product hard-linked into the job's folder) unless o.publish says otherwise.
 */
export function testEngine(pool: Pool, url: string, o: Partial<EngineOptions> & { archiveRoot: string }): Engine {
  const log = createLogger('silent');
  const dataDir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'drsoda-engine-'));
  const listener = createNotificationListener({ clientConfig: { connectionString: url }, log });
  const products = o.products ?? new ProductStore(path.join(dataDir, 'products'));
  const engine = createEngine({
    pool,
    listener,
    log,
    runner: localFakeRunner(),
    pipeline: testPipeline,
    phases: createJobTransitions({ pool, clock: systemClock, dataDir }),
    publish: publishTargetProducts(products, (jobId) => jobDir(dataDir, jobId)),
    products,
    dataDir,
    work: true,
    concurrency: 2,
    stepTimeoutS: 30,
    leaseS: 5,
    retryBaseS: 0.2,
    tickMs: 500,
    ...o,
  });
  return {
    ...engine,
    stop: async () => {
      await engine.stop();
      await listener.close();
    },
  };
}

let seq = 0;
export async function queuedJob(pool: Pool, owner = 'alice'): Promise<string> {
  const id = `job${Date.now().toString(36)}${++seq}`;
  await insertJob(pool, {
    id, kind: 'reduce', ownerId: owner, runId: null, phase: 'QUEUED', quote: null,
    creationTime: new Date(), executionDuration: 0, destruction: null, parameters: [],
  });
  return id;
}

/** Polls the job until it leaves the active phases (tests only; the service itself uses LISTEN). */
export async function settled(pool: Pool, jobId: string, timeoutMs = 30000): Promise<Job> {
  const t0 = Date.now();
  for (;;) {
    const j = await getJob(pool, jobId);
    if (j && ['COMPLETED', 'ERROR', 'ABORTED'].includes(j.phase)) return j;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${jobId} still ${j?.phase} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type { Plan };
