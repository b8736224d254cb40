// How the composition root plugs operations into the app with a few lines: request logging and metrics
// middleware, /metrics and /openapi.json, the notification parameters on job runners, and the notifier.
import { Router, type RequestHandler } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createMetricsRouter } from '../http/metrics-router.js';
import { createOpenApiRouter, routeLabeler } from '../http/openapi.js';
import { openApiPaths } from '../http/openapi-paths.js';
import { requestLog } from '../http/request-log.js';
import { sodaParameters } from '../soda/parameters.js';
import { SODA_SYNC_KIND } from '../soda/request.js';
import type { Pool } from '../store/db.js';
import type { JobRunner } from '../uws/types.js';
import { observeRequests } from './http-metrics.js';
import { createMailer } from './mailer.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createNotifier, type Notifier } from './notifier.js';
import { withNotifyParams } from './notify-params.js';

export interface OpsDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  /** A registry to share (tests); default: a new one for this app. */
  metrics?: Metrics;
}

export interface Ops {
  metrics: Metrics;
  notifier: Notifier;
  /** Request id + log line, then request metrics: mount first. */
  middleware: RequestHandler[];
  /** GET /metrics and GET /openapi.json. */
  routes: Router;
  /** Checks NOTIFY_URL/NOTIFY_EMAIL and hides them from the runner. */
  withNotifyParams(runner: JobRunner): JobRunner;
  close(): Promise<void>;
}

export function createOps(d: OpsDeps): Ops {
  const { config } = d;
  const metrics = d.metrics ?? createMetrics({ pool: d.pool, log: d.log, poolMax: config.db.poolSize });
  const label = routeLabeler(Object.keys(openApiPaths(sodaParameters)));
  const routes = Router();
  routes.use(createMetricsRouter(metrics));
  routes.use(createOpenApiRouter({ baseUrl: config.baseUrl, sodaParams: sodaParameters }));
  const n = config.ops.notify;
  const smtp = config.ops.smtp;
  const notifier = createNotifier({
    pool: d.pool,
    clientConfig: d.pool.options,
    log: d.log,
    // Hidden /soda/sync jobs have no public URL; every other kind is a job of /soda/async.
    jobUrl: (kind, id) => (kind === SODA_SYNC_KIND ? null : `${config.baseUrl}/soda/async/${encodeURIComponent(id)}`),
    mailer: smtp ? createMailer({ url: smtp.url, from: smtp.from, timeoutMs: n.timeoutMs }) : undefined,
    maxAttempts: n.maxAttempts,
    retryBaseS: n.retryBaseS,
    timeoutMs: n.timeoutMs,
    allowPrivate: n.allowPrivate,
    webhookSecret: n.webhookSecret,
    retentionS: n.retentionS,
  });
  return {
    metrics,
    notifier,
    middleware: [requestLog(d.log, { label }), observeRequests(metrics, label)],
    routes,
    withNotifyParams: (runner) => withNotifyParams(runner, { email: !!smtp }),
    async close() {
      await notifier.close();
      if (!d.metrics) metrics.close();
    },
  };
}
