// Composition root: wires stores, services and routers into one express app. No I/O at import.
import express, { type Express } from 'express';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Pool } from './store/db.js';
import { errorMiddleware, notFoundHandler } from './http/errors.js';
import { requestLog } from './http/request-log.js';
import { createVosiRouter } from './http/vosi-router.js';

export interface AppDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  clock: Clock;
  upSince: Date;
  /** Aborted when shutdown begins, so long polls (UWS WAIT) return promptly. */
  shutdown: AbortSignal;
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
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.log));
  const closers: Array<() => Promise<void>> = [];
  return {
    express: app,
    close: async () => {
      for (const c of closers.reverse()) await c();
    },
  };
}
