// Composition root: wires stores, services and routers into one express app. No I/O at import.
import express, { type Express } from 'express';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Pool } from './store/db.js';
import { errorMiddleware, notFoundHandler } from './http/errors.js';
import { createOps } from './ops/ops-wiring.js';
import { createVosiRouter } from './http/vosi-router.js';
import { createFramesRouter } from './http/frames-router.js';
import { createDataLinkRoutes } from './http/datalink-routes.js';
import { archiveRootOf } from './archive/archive-root.js';
import { createArchiveService } from './archive/archive-service.js';
import { createIdentity } from './auth/identity.js';
import { createJobsRouter } from './http/uws-router.js';
import { createJobRateLimit } from './http/rate-limit.js';
import { createJobService } from './uws/job-service.js';
import { createSleepRunner } from './uws/sleep-runner.js';
import type { JobRunner } from './uws/types.js';
import type { Engine } from './scheduler/engine.js';
import { createSodaRunners, createSodaSync } from './soda/soda-wiring.js';
import { SODA_SYNC_KIND } from './soda/request.js';
import { createSodaSyncRouter } from './http/soda-sync-router.js';
import { createStepsRouter } from './http/steps-router.js';
import { createWebRouter } from './http/web-router.js';
import { createFilePreviewLookup } from './soda/previews.js';
import path from 'node:path';
import { createTurnaroundRouter } from './http/turnaround-router.js';
import type { Metrics } from './ops/metrics.js';
import { priorityPolicy, withJobPriority, withPriorityParam } from './watch/priority.js';

export interface AppDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  clock: Clock;
  upSince: Date;
  /** Aborted when shutdown begins, so long polls (UWS WAIT) return promptly. */
  shutdown: AbortSignal;
  /** The job kind behind the UWS job list /soda/async; default: the built-in sleep runner (see below). */
  asyncRunner?: JobRunner;
  /** The execution engine (serve starts one): with it /soda/async runs SODA reductions and /soda/sync answers. */
  engine?: Pick<Engine, 'submit' | 'cancel' | 'products'>;
  /** The process's metrics registry, shared with the archive watcher (serve --watch); default: the app's own. */
  metrics?: Metrics;
}

export interface App {
  express: Express;
  /** Releases what the app's services hold (listeners, timers); the pool is the caller's. */
  close(): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Request ids, log lines and metrics first; /metrics and /openapi.json below (docs/operations.md).
  const ops = createOps(deps);
  app.use(ops.middleware);
  app.use('/soda', createVosiRouter({ pool: deps.pool, upSince: deps.upSince, isShuttingDown: () => deps.shutdown.aborted }));
  const archive = createArchiveService({ pool: deps.pool, root: archiveRootOf(deps.config), authority: deps.config.ivoAuthority });
  app.use(createFramesRouter({ archive, baseUrl: deps.config.baseUrl, authority: deps.config.ivoAuthority }));
  // DataLink {links}, VOSI capabilities, DALI examples and product files (docs/datalink.md).
  const datalink = createDataLinkRoutes({ config: deps.config, pool: deps.pool, log: deps.log, clock: deps.clock, since: deps.upSince });
  app.use(datalink.router);
  // SODA reductions need the engine; without one (UWS tests) /soda/async runs the built-in `sleep` kind.
  // PRIORITY (priority lanes, docs/quick-turnaround.md) is checked outermost (its authorize hook sees the caller)
  // and handed to the engine with the plan.
  const soda = deps.engine ? createSodaRunners({ ...deps, engine: withJobPriority(deps.engine, deps.pool) }) : undefined;
  const notified = ops.withNotifyParams(deps.asyncRunner ?? soda?.async ?? createSleepRunner());
  const asyncRunner = soda && !deps.asyncRunner ? withPriorityParam(notified, priorityPolicy(deps.config)) : notified;
  const runners = soda ? [asyncRunner, soda.sync] : [asyncRunner];
  const jobService = createJobService({ pool: deps.pool, clock: deps.clock, config: deps.config, runners, log: deps.log });
  const identify = createIdentity({ config: deps.config, db: deps.pool, clock: deps.clock });
  // At most RATE_LIMIT_JOBS_PER_MIN new jobs per owner and minute, async or sync (docs/reliability.md).
  const jobRateLimit = createJobRateLimit({ perMinute: deps.config.uws.jobsPerMinute, identify, clock: deps.clock });
  app.post('/soda/async', jobRateLimit);
  if (soda) {
    const sync = createSodaSync({ ...deps, engine: deps.engine!, syncJobs: jobService.forKind(SODA_SYNC_KIND) });
    app.use('/soda/sync', jobRateLimit);
    app.use('/soda/sync', createSodaSyncRouter({ sync, identify, shutdown: deps.shutdown }));
  }
  app.use(
    '/soda/async',
    createJobsRouter({
      jobs: jobService.forKind(asyncRunner.kind),
      identify,
      jobsUrl: `${deps.config.baseUrl}/soda/async`,
      waitMaxS: deps.config.uws.waitMaxS,
      shutdown: deps.shutdown,
    }),
  );
  // The DataLink document of a job's results (docs/datalink.md), read-checked like the UWS routes above.
  app.use('/soda/async', datalink.jobLinks({ jobs: jobService.forKind(asyncRunner.kind), identify, jobsUrl: `${deps.config.baseUrl}/soda/async` }));
  // The job's step DAG as JSON (docs/web.md), owner-checked like the UWS routes above.
  app.use('/soda/async', createStepsRouter({
    pool: deps.pool, jobs: jobService.forKind(asyncRunner.kind), identify, jobsUrl: `${deps.config.baseUrl}/soda/async`, baseUrl: deps.config.baseUrl,
    dataDir: deps.config.dataDir, previews: createFilePreviewLookup(path.join(deps.config.dataDir, 'products'), deps.config.baseUrl),
  }));
  // Latency record of the archive watcher's auto jobs (docs/quick-turnaround.md), read-checked like the UWS routes.
  app.use('/soda/async', createTurnaroundRouter({ pool: deps.pool, jobs: jobService.forKind(asyncRunner.kind), identify }));
  app.use(ops.routes);
  // The browser front end last: it answers only its own paths, never an API route (src/http/web-router.ts).
  app.use(createWebRouter());
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.log));
  const closers: Array<() => Promise<void>> = [];
  closers.push(() => ops.close());
  closers.push(() => jobService.close());
  return {
    express: app,
    close: async () => {
      for (const c of closers.reverse()) await c();
    },
  };
}
