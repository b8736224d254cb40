// Composition root: wires stores, services and routers into one express app. No I/O at import.
import express, { type Express } from 'express';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Pool } from './store/db.js';
import { errorMiddleware, notFoundHandler } from './http/errors.js';
import { requestLog } from './http/request-log.js';
import { createVosiRouter } from './http/vosi-router.js';
import { createFramesRouter } from './http/frames-router.js';
import { createDataLinkRoutes } from './http/datalink-routes.js';
import { archiveRootOf } from './archive/archive-root.js';
import { createArchiveService } from './archive/archive-service.js';
import { createIdentity } from './auth/identity.js';
import { createJobsRouter } from './http/uws-router.js';
import { createJobService } from './uws/job-service.js';
import { createSleepRunner } from './uws/sleep-runner.js';
import type { JobRunner } from './uws/types.js';

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
  app.use(requestLog(deps.log));
  app.use('/soda', createVosiRouter({ pool: deps.pool, upSince: deps.upSince, isShuttingDown: () => deps.shutdown.aborted }));
  const archive = createArchiveService({ pool: deps.pool, root: archiveRootOf(deps.config), authority: deps.config.ivoAuthority });
  app.use(createFramesRouter({ archive, baseUrl: deps.config.baseUrl, authority: deps.config.ivoAuthority }));
  // DataLink {links}, VOSI capabilities, DALI examples and product files (docs/datalink.md).
  app.use(createDataLinkRoutes({ config: deps.config, pool: deps.pool, log: deps.log, clock: deps.clock, since: deps.upSince }));
  // Until the SODA issue lands its reduction runner, /soda/async runs the built-in `sleep` kind (tests, demo).
  const asyncRunner = deps.asyncRunner ?? createSleepRunner();
  const jobService = createJobService({ pool: deps.pool, clock: deps.clock, config: deps.config, runners: [asyncRunner], log: deps.log });
  app.use(
    '/soda/async',
    createJobsRouter({
      jobs: jobService.forKind(asyncRunner.kind),
      identify: createIdentity({ config: deps.config, db: deps.pool, clock: deps.clock }),
      jobsUrl: `${deps.config.baseUrl}/soda/async`,
      waitMaxS: deps.config.uws.waitMaxS,
      shutdown: deps.shutdown,
    }),
  );
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.log));
  const closers: Array<() => Promise<void>> = [];
  closers.push(() => jobService.close());
  return {
    express: app,
    close: async () => {
      for (const c of closers.reverse()) await c();
    },
  };
}
