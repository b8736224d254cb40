// How the composition roots (serve, worker, tests) plug SODA into the job manager and the execution engine:
// the two job kinds, the sync service, and the publisher every engine process must use (the process that
// finishes a job's last step publishes its results, and that may be a separate `drsoda worker`).
import { archiveRootOf } from '../archive/archive-root.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Engine } from '../scheduler/engine.js';
import { publishTargetProducts, type ResultPublisher } from '../scheduler/job-sync.js';
import type { ProductStore } from '../scheduler/product-store.js';
import type { Pool } from '../store/db.js';
import type { JobList } from '../uws/job-list.js';
import type { JobRunner } from '../uws/types.js';
import { committedPresets } from './parameters.js';
import { createSodaPublisher } from './publisher.js';
import { SODA_ASYNC_KIND, SODA_SYNC_KIND } from './request.js';
import { createSodaRunner } from './soda-runner.js';
import { createSyncService, type SyncService } from './sync-service.js';

/** startEngine's `publish` option: SODA cuts for SODA jobs, the default hard links for any other kind. */
export function sodaPublish(d: { config: Config; pool: Pool }): (products: ProductStore) => ResultPublisher {
  return (products) =>
    createSodaPublisher({
      pool: d.pool,
      products,
      dataDir: d.config.dataDir,
      authority: d.config.ivoAuthority,
      fallback: publishTargetProducts(products, d.config.dataDir),
    });
}

export interface SodaDeps {
  config: Config;
  pool: Pool;
  clock: Clock;
  log: Logger;
  engine: Pick<Engine, 'submit' | 'cancel' | 'products'>;
}

/** The `soda` (async) and `soda-sync` job kinds. */
export function createSodaRunners(d: SodaDeps): { async: JobRunner; sync: JobRunner } {
  const deps = { pool: d.pool, engine: d.engine, authority: d.config.ivoAuthority, presets: committedPresets, archiveRoot: archiveRootOf(d.config), log: d.log.child({ component: 'soda' }) };
  return { async: createSodaRunner(deps, SODA_ASYNC_KIND), sync: createSodaRunner(deps, SODA_SYNC_KIND) };
}

/** The /soda/sync service over the `soda-sync` job list. */
export function createSodaSync(d: SodaDeps & { syncJobs: JobList }): SyncService {
  return createSyncService({
    pool: d.pool,
    clock: d.clock,
    jobs: d.syncJobs,
    products: d.engine.products,
    authority: d.config.ivoAuthority,
    presets: committedPresets,
    archiveRoot: archiveRootOf(d.config),
    dataDir: d.config.dataDir,
    waitS: d.config.soda.syncWaitS,
  });
}
