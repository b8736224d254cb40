// Builds and starts the execution engine for a process (serve or worker) from the configuration.
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { createEngine, makeWorkerId, type Engine } from './engine.js';
import { publishTargetProducts, type ResultPublisher } from './job-sync.js';
import { reapOrphanContainers, reapOrphanDirs, sandboxDirPid, workDirPid } from './reaper.js';
import { chooseRunner } from './runner-factory.js';
import { withPreviews } from '../previews/previews.js';

export interface StartEngineOptions {
  config: Config;
  pool: Pool;
  databaseUrl: string;
  clock: Clock;
  log: Logger;
  archiveRoot: string;
  work: boolean;
  publish?: (products: Engine['products']) => ResultPublisher;
}

export async function startEngine(o: StartEngineOptions): Promise<Engine> {
  const productsRoot = path.join(o.config.dataDir, 'products');
  const workerId = makeWorkerId();
  const choice = await chooseRunner(o.config, { archiveRoot: o.archiveRoot, productsRoot, workerId, log: o.log });
  const x = o.config.executor;
  let publish: ResultPublisher | undefined;
  const engine = createEngine({
    pool: o.pool,
    clientConfig: { connectionString: o.databaseUrl },
    clock: o.clock,
    log: o.log,
    runner: choice.runner,
    dataDir: o.config.dataDir,
    archiveRoot: o.archiveRoot,
    work: o.work,
    concurrency: x.concurrency,
    stepTimeoutS: x.stepTimeoutS,
    leaseS: x.leaseS,
    maxAttempts: x.maxAttempts,
    publish: (jobId, plan) => publish!(jobId, plan),
    workerId,
    cacheMaxBytes: x.cacheMaxBytes,
  });
  // Every job's products get their quick-look PNGs (DataLink #preview) before its results are published.
  publish = withPreviews(o.publish?.(engine.products) ?? publishTargetProducts(engine.products, o.config.dataDir), engine.products, o.log);
  if (o.work) {
    const reaped = {
      containers: choice.docker ? await reapOrphanContainers(choice.docker).catch(() => 0) : 0,
      workDirs: await reapOrphanDirs(path.join(o.config.dataDir, 'work'), workDirPid),
      sandboxDirs: await reapOrphanDirs(path.join(o.config.dataDir, 'sandboxes'), sandboxDirPid),
    };
    if (reaped.containers + reaped.workDirs + reaped.sandboxDirs) o.log.info(reaped, 'removed leftovers of dead workers');
  }
  await engine.start();
  o.log.info({ executor: choice.description, concurrency: x.concurrency, worker: o.work }, 'execution engine started');
  return engine;
}
