// The HTTP entry: the fast lane (fast-lane.ts) in front of the express app, which mounts every router over services
// the composition root (src/factory.ts) built once. Routers reach services only; nothing here opens a connection,
// reads configuration or builds a service.
import type { RequestListener } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import type { IdentifyCaller } from '../auth/identity.js';
import type { AuthSettings } from '../config.js';
import { MAX_LINKS_IDS, type LinksService } from '../datalink/links-service.js';
import type { PreviewLookup } from '../datalink/links-context.js';
import type { ProductAccess } from '../datalink/product-access.js';
import type { Logger } from '../logger.js';
import type { HealthMonitor } from '../ops/health.js';
import { createHttpObserver } from '../ops/http-metrics.js';
import type { Metrics } from '../ops/metrics.js';
import type { StepViews } from '../scheduler/step-views.js';
import { sodaParameters } from '../soda/parameters.js';
import type { SyncService } from '../soda/sync-service.js';
import type { JobCache } from '../uws/job-cache.js';
import type { JobList } from '../uws/job-list.js';
import type { ExampleData } from '../vo/examples.js';
import type { TurnaroundRecords } from '../watch/turnaround.js';
import { createCapabilitiesRouter } from './capabilities-router.js';
import { createEtags } from './conditional.js';
import { errorMiddleware, notFoundHandler } from './errors.js';
import { createFastLane } from './fast-lane.js';
import { createFramesRouter, type FramesRouterDeps } from './frames-router.js';
import { createJobLinksRouter, createLinksRouter, createScopeOf } from './links-router.js';
import { createMetricsRouter } from './metrics-router.js';
import { createOpenApiRouter, routeLabeler } from './openapi.js';
import { openApiPaths } from './openapi-paths.js';
import { createPlanRouter } from './plan-router.js';
import { createProductFilesRouter } from './product-files-router.js';
import { createRequestLogger } from './request-log.js';
import { createSodaSyncRouter } from './soda-sync-router.js';
import { createStepsRouter } from './steps-router.js';
import { createTurnaroundRouter } from './turnaround-router.js';
import { createJobsRouter } from './uws-router.js';
import { createAvailability, createVosiRouter } from './vosi-router.js';
import { createWebRouter } from './web-router.js';

export interface HttpAppDeps {
  log: Logger;
  baseUrl: string;
  auth: Pick<AuthSettings, 'mode' | 'header'>;
  /** DATA_DIR and its products folder: step logs and product files are served only from there. */
  dataDir: string;
  productsRoot: string;
  waitMaxS: number;
  upSince: Date;
  /** Aborted when shutdown begins, so long polls (UWS WAIT) return promptly. */
  shutdown: AbortSignal;
  identify: IdentifyCaller;
  /** At most RATE_LIMIT_JOBS_PER_MIN new jobs per owner and minute, async or sync (docs/reliability.md). */
  jobRateLimit: RequestHandler;
  /** The job list behind /soda/async. */
  asyncJobs: JobList;
  /** This process's cache of /soda/async job documents (uws/job-cache.ts). */
  jobCache: JobCache;
  /** /soda/sync; absent when the async job kind is not SODA (tests of the job manager alone). */
  sync?: SyncService;
  archive: FramesRouterDeps['archive'];
  authority: string;
  links: LinksService;
  products: ProductAccess;
  previews: PreviewLookup;
  steps: StepViews;
  turnaround: TurnaroundRecords;
  exampleData: () => Promise<ExampleData | null>;
  /** The database health, checked in the background (VOSI availability). */
  health: Pick<HealthMonitor, 'current' | 'check'>;
  metrics: Metrics;
}

/** The request listener of `drsoda serve` (the fast lane, then the express app), with the express app for its route table. */
export type HttpApp = RequestListener & { readonly express: Express };

export function createHttpApp(d: HttpAppDeps): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const jobsUrl = `${d.baseUrl}/soda/async`;
  const label = routeLabeler(Object.keys(openApiPaths(sodaParameters)));
  const availability = createAvailability({ health: d.health, upSince: d.upSince, isShuttingDown: () => d.shutdown.aborted });
  app.use('/soda', createVosiRouter(availability));
  app.use(createFramesRouter({ archive: d.archive, baseUrl: d.baseUrl, authority: d.authority }));
  // DataLink {links}, VOSI capabilities, DALI examples and product files (docs/datalink.md).
  app.use('/soda', createLinksRouter({ links: d.links, scopeOf: createScopeOf(d.identify, d.auth, { optional: true }), log: d.log }));
  app.use('/soda', createCapabilitiesRouter({ exampleData: d.exampleData, serviceUrl: `${d.baseUrl}/soda`, sodaParams: sodaParameters, maxLinksIds: MAX_LINKS_IDS, since: d.upSince }));
  app.use(createProductFilesRouter({ products: d.products, productsRoot: d.productsRoot, scopeOf: createScopeOf(d.identify, d.auth, { optional: false }) }));
  app.post('/soda/async', d.jobRateLimit);
  if (d.sync) {
    app.use('/soda/sync', d.jobRateLimit);
    app.use('/soda/sync', createSodaSyncRouter({ sync: d.sync, identify: d.identify, shutdown: d.shutdown }));
  }
  app.use('/soda/async', createJobsRouter({ jobs: d.asyncJobs, identify: d.identify, jobsUrl, waitMaxS: d.waitMaxS, shutdown: d.shutdown, cache: d.jobCache }));
  // The DataLink document of a job's results (docs/datalink.md), read-checked like the UWS routes above.
  app.use('/soda/async', createJobLinksRouter({ jobs: d.asyncJobs, identify: d.identify, jobsUrl, links: d.links, log: d.log }));
  // The job's full plan, which its jobInfo summarises and links (docs/uws.md#the-plan-of-a-job).
  app.use('/soda/async', createPlanRouter({ jobs: d.asyncJobs, identify: d.identify }));
  // The job's step DAG as JSON (docs/web.md), owner-checked like the UWS routes above.
  app.use('/soda/async', createStepsRouter({ steps: d.steps, jobs: d.asyncJobs, identify: d.identify, jobsUrl, baseUrl: d.baseUrl, dataDir: d.dataDir, previews: d.previews }));
  // Latency record of the archive watcher's auto jobs (docs/quick-turnaround.md), read-checked like the UWS routes.
  app.use('/soda/async', createTurnaroundRouter({ turnaround: d.turnaround, jobs: d.asyncJobs, identify: d.identify }));
  app.use(createMetricsRouter(d.metrics));
  app.use(createOpenApiRouter({ baseUrl: d.baseUrl, sodaParams: sodaParameters }));
  // The browser front end last: it answers only its own paths, never an API route (src/http/web-router.ts).
  app.use(createWebRouter());
  app.use(notFoundHandler);
  app.use(errorMiddleware(d.log));
  // Request ids, log lines and metrics are given in the lane, for its own answers and the app's (docs/operations.md).
  const lane = createFastLane({
    app: app as unknown as RequestListener,
    logRequest: createRequestLogger(d.log, { label }),
    observe: createHttpObserver(d.metrics, label),
    metrics: d.metrics,
    identify: d.identify,
    jobs: d.jobCache,
    etags: createEtags(jobsUrl),
    availability,
  });
  return Object.assign(lane, { express: app });
}
