// The composition root: builds every service of a process once, from the configuration and an open database,
// and closes them in reverse order. `serve`, `worker`, `watch`, the CLI and the tests take what they need from it;
// nothing else constructs a service. No I/O happens until a part is first asked for.
import path from 'node:path';
import { watchArchiveVersion, type ArchiveVersion } from './archive/archive-changes.js';
import { archiveRootOf, requireArchiveRoot } from './archive/archive-root.js';
import { createArchiveService, type ArchiveService } from './archive/archive-service.js';
import { createIdentity, type IdentifyCaller } from './auth/identity.js';
import { createTokenCache } from './auth/token-cache.js';
import { createTokenBuckets } from './auth/rate-buckets.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { createLinksService, type LinksService } from './datalink/links-service.js';
import { createFilePreviewLookup } from './datalink/preview-lookup.js';
import { createProductAccess } from './datalink/product-access.js';
import type { PreviewLookup } from './datalink/links-context.js';
import { chooseRunner, resolvePipeline } from './executor/choose-runner.js';
import { reapOrphanContainers, reapOrphanDirs, sandboxDirPid, workDirPid } from './executor/orphan-reaper.js';
import { createHttpApp, type HttpApp } from './http/app.js';
import { createJobRateLimit } from './http/rate-limit.js';
import type { Logger } from './logger.js';
import { createHealthMonitor } from './ops/health.js';
import { createMailer } from './ops/mailer.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { startMetricsServer, type MetricsServer } from './ops/metrics-server.js';
import { createNotifier, type Notifier } from './ops/notifier.js';
import { withNotifyParams } from './ops/notify-params.js';
import { withPreviews } from './previews/previews.js';
import { createEngine, makeWorkerId, type Engine } from './scheduler/engine.js';
import { publishTargetProducts } from './scheduler/job-sync.js';
import type { ResultPublisher } from './scheduler/ports.js';
import { ProductStore } from './scheduler/product-store.js';
import { createStepViews } from './scheduler/step-views.js';
import { exampleData } from './soda/example-data.js';
import { committedPresets, sodaParameters } from './soda/parameters.js';
import { createSodaPublisher } from './soda/publisher.js';
import { createPlanCache } from './soda/plan-cache.js';
import { SODA_ASYNC_KIND, SODA_SYNC_KIND } from './soda/request.js';
import { createSodaRunner, sodaJobInfo } from './soda/soda-runner.js';
import { createSyncService, type SyncService } from './soda/sync-service.js';
import { slurmDagRecords } from './store/slurm-dag-store.js';
import { slurmJobRecords } from './store/slurm-job-store.js';
import type { Pool } from './store/db.js';
import { createNotificationListener, type NotificationListener } from './store/notification-listener.js';
import { createJobCache, type JobCache } from './uws/job-cache.js';
import { jobDir } from './uws/job-files.js';
import type { JobList } from './uws/job-list.js';
import { createJobService, type JobService } from './uws/job-service.js';
import { createJobTransitions } from './uws/transitions.js';
import type { JobRunner } from './uws/types.js';
import { priorityPolicy, withJobPriority, withPriorityParam } from './watch/priority.js';
import { createTurnaroundRecords } from './watch/turnaround.js';
import { startWatch, type Watcher } from './watch/watch-service.js';

export interface FactoryDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  clock: Clock;
  /**
   * The job kind behind /soda/async in place of SODA reductions. Only the job manager's own tests use it
   * (test/support/sleep-runner.ts); a service always runs SODA, and refuses to start without an archive.
   */
  asyncKind?: JobRunner;
  /** An engine built elsewhere (tests with a fake pipeline and publisher); the caller starts and stops it. */
  engine?: Engine;
}

export interface JobServices {
  service: JobService;
  /** The job list behind /soda/async (SODA, or the tests' kind). */
  asyncJobs: JobList;
  /** /soda/sync over the hidden `soda-sync` kind; absent with a test kind. */
  sync?: SyncService;
}

export interface Factory {
  readonly config: Config;
  readonly log: Logger;
  listener(): NotificationListener;
  identity(): IdentifyCaller;
  archive(): ArchiveService;
  /** The frame index's version as heard on the LISTEN connection (frame_change), for caches of what it produced. */
  archiveVersion(): ArchiveVersion;
  /** The archive root SODA resolves IDs against; throws a clear Error when none is configured. */
  archiveRoot(): string;
  products(): ProductStore;
  metrics(): Metrics;
  /** METRICS_PORT: /metrics of a process without the HTTP API (worker, watch); undefined when unset. */
  metricsEndpoint(): Promise<MetricsServer | undefined>;
  notifier(): Notifier;
  links(): LinksService;
  previews(): PreviewLookup;
  /** The execution engine, started; `work` runs a worker in this process (fixed by the first call). */
  engine(o: { work: boolean }): Promise<Engine>;
  /**
   * The UWS job manager with its job kinds (SODA async and sync unless FactoryDeps.asyncKind), which also takes over
   * QUEUED jobs of processes that died (uws/handover.ts). `reaper: false` leaves destruction and execution
   * durations to the API processes (fixed by the first call).
   */
  jobs(o?: { reaper?: boolean }): Promise<JobServices>;
  /**
   * `drsoda worker`: the job manager without its reaper, so this process too takes over QUEUED jobs whose
   * accepting process died. False (nothing built) without an archive, which SODA jobs are planned against.
   */
  takeOverJobs(): Promise<boolean>;
  /** The archive watcher (WATCH_ENABLED, `drsoda watch`), making auto jobs through jobs().asyncJobs. */
  watcher(o?: { fileEvents?: boolean }): Promise<Watcher>;
  /** This process's cache of /soda/async job documents, fed by the LISTEN connection (uws/job-cache.ts). */
  jobCache(): JobCache;
  /** The HTTP app of `drsoda serve`. */
  httpApp(o: { upSince: Date; shutdown: AbortSignal }): Promise<HttpApp>;
  /** Closes what was built, last built first; the pool is the caller's. */
  close(): Promise<void>;
}

export function createFactory(d: FactoryDeps): Factory {
  const { config, pool, log, clock } = d;
  const closers: Array<() => Promise<void> | void> = [];
  // Each part is built on its first call; later calls (whatever their arguments) get the same one.
  const once = <A extends unknown[], T>(build: (...args: A) => T): ((...args: A) => T) => {
    let built: { value: T } | undefined;
    return (...args) => (built ??= { value: build(...args) }).value;
  };
  const productsRoot = path.join(config.dataDir, 'products');
  // Recorded with the jobs this process queues (uws/handover.ts), in the form the worker ids take.
  const processId = makeWorkerId();

  const listener = once(() => {
    const l = createNotificationListener({ clientConfig: pool.options, log });
    l.ready().catch((err) => log.warn({ err: (err as Error).message }, 'listener could not connect yet; retrying'));
    closers.push(() => l.close());
    return l;
  });
  const identity = once(() => {
    if (config.auth.mode !== 'token') return createIdentity({ auth: config.auth, db: pool, clock });
    const tokenCache = createTokenCache(listener());
    closers.push(() => tokenCache.close());
    return createIdentity({ auth: config.auth, db: pool, clock, tokenCache });
  });
  const archiveRoot = () => requireArchiveRoot(config);
  const archiveVersion = once(() => {
    const v = watchArchiveVersion(listener());
    closers.push(() => v.close());
    return v;
  });
  const archive = once(() => createArchiveService({ pool, root: archiveRootOf(config), authority: config.ivoAuthority }));
  const products = once(() => new ProductStore(productsRoot));
  const metrics = once(() => {
    const m = createMetrics({ pool, log, poolMax: config.db.poolSize });
    closers.push(() => m.close());
    return m;
  });
  const metricsEndpoint = once(async (): Promise<MetricsServer | undefined> => {
    const port = config.ops.metricsPort;
    if (port === undefined) return undefined;
    const server = await startMetricsServer(metrics(), { port, host: config.host });
    closers.push(() => server.close());
    return server;
  });
  const notifier = once(() => {
    const n = config.ops.notify;
    const smtp = config.ops.smtp;
    const notifier = createNotifier({
      pool,
      listener: listener(),
      log,
      // Hidden /soda/sync jobs have no public URL; every other kind is a job of /soda/async.
      jobUrl: (kind, id) => (kind === SODA_SYNC_KIND ? null : `${config.baseUrl}/soda/async/${encodeURIComponent(id)}`),
      mailer: smtp ? createMailer({ url: smtp.url, from: smtp.from, timeoutMs: n.timeoutMs }) : undefined,
      notify: n,
    });
    closers.push(() => notifier.close());
    return notifier;
  });
  const previews = once(() => createFilePreviewLookup(productsRoot, config.baseUrl));
  // DataLink finds a frame's products by the step ids its plan gives: resolved as the runner choice resolves it,
  // without building an engine (a process that only serves links runs no steps).
  const pipeline = once(() => (d.engine ? Promise.resolve(d.engine.pipeline) : resolvePipeline({ ...config.executor, dataDir: config.dataDir }, log)));
  const links = once(() =>
    createLinksService({
      pool,
      authority: config.ivoAuthority,
      baseUrl: config.baseUrl,
      presets: committedPresets,
      pipeline: () => pipeline(),
      sodaParams: sodaParameters,
      previews: previews(),
      authenticated: config.auth.mode !== 'anonymous',
    }),
  );

  // The process that finishes a job's last step publishes its results (SODA cuts, hard links for other kinds),
  // with quick-look PNGs made first for DataLink #preview; that may be a separate `drsoda worker`.
  const publisher = once((): ResultPublisher => {
    const store = products();
    const sodaCuts = createSodaPublisher({
      pool,
      products: store,
      dataDir: config.dataDir,
      authority: config.ivoAuthority,
      fallback: publishTargetProducts(store, (jobId) => jobDir(config.dataDir, jobId)),
    });
    return withPreviews(sodaCuts, store, log);
  });

  const buildEngine = async (work: boolean): Promise<Engine> => {
    const x = config.executor;
    const workerId = makeWorkerId();
    // A worker without an archive can still run steps whose inputs are products; its raw inputs fail clearly.
    const root = archiveRootOf(config) ?? path.join(config.dataDir, 'no-archive');
    const choice = await chooseRunner({ ...x, dataDir: config.dataDir }, { archiveRoot: root, productsRoot, workerId, log, slurmRecords: slurmJobRecords(pool),
      slurmDag: slurmDagRecords(pool), productFile: (stepId, fileName) => products().file(stepId, fileName) });
    const engine = createEngine({
      pool,
      listener: listener(),
      log,
      runner: choice.runner,
      pipeline: choice.pipeline,
      phases: createJobTransitions({ pool, clock, dataDir: config.dataDir }),
      publish: publisher(),
      products: products(),
      dataDir: config.dataDir,
      archiveRoot: root,
      work,
      concurrency: x.concurrency,
      stepTimeoutS: x.stepTimeoutS,
      leaseS: x.leaseS,
      maxAttempts: x.maxAttempts,
      workerId,
      cacheMaxBytes: x.cacheMaxBytes,
    });
    if (work) {
      const reaped = {
        containers: choice.containers ? await reapOrphanContainers(choice.containers).catch(() => 0) : 0,
        workDirs: await reapOrphanDirs(path.join(config.dataDir, 'work'), workDirPid),
        sandboxDirs: await reapOrphanDirs(path.join(config.dataDir, 'sandboxes'), sandboxDirPid),
      };
      if (reaped.containers + reaped.workDirs + reaped.sandboxDirs) log.info(reaped, 'removed leftovers of dead workers');
    }
    closers.push(() => engine.stop());
    await engine.start();
    log.info({ executor: choice.description, pipeline: choice.pipeline.description, concurrency: x.concurrency, worker: work }, 'execution engine started');
    return engine;
  };
  const engine = once((o: { work: boolean }) => (d.engine ? Promise.resolve(d.engine) : buildEngine(o.work)));

  const jobs = once(async (o: { reaper?: boolean } = {}): Promise<JobServices> => {
    const email = !!config.ops.smtp;
    let asyncRunner: JobRunner;
    let soda: { runner: JobRunner; engine: Engine; root: string } | undefined;
    if (d.asyncKind) {
      asyncRunner = withNotifyParams(d.asyncKind, { email });
    } else {
      const root = archiveRoot();
      const eng = await engine({ work: config.executor.runWorker });
      // PRIORITY (priority lanes, docs/quick-turnaround.md) is checked outermost (its authorize hook sees the
      // caller) and handed to the engine with the plan.
      // One plan cache for both kinds: a sync request and an async job for the same frame share the plan.
      const planCache = createPlanCache({ version: archiveVersion().current, render: sodaJobInfo });
      const deps = { pool, engine: withJobPriority(eng, pool), authority: config.ivoAuthority, presets: committedPresets, archiveRoot: root, jobsUrl: `${config.baseUrl}/soda/async`, log: log.child({ component: 'soda' }), planCache };
      const policy = priorityPolicy(config.priority, config.watch.user);
      asyncRunner = withPriorityParam(withNotifyParams(createSodaRunner(deps, SODA_ASYNC_KIND), { email }), policy);
      soda = { runner: createSodaRunner(deps, SODA_SYNC_KIND), engine: eng, root };
    }
    const service = createJobService({
      pool, clock, log, listener: listener(),
      uws: config.uws, dataDir: config.dataDir, shutdownGraceMs: config.shutdownGraceMs,
      runners: soda ? [asyncRunner, soda.runner] : [asyncRunner],
      sweepIntervalMs: o.reaper === false ? 0 : undefined,
      // A QUEUED job's hand-over lease is as long as a running step's: both say how long a silent process is trusted.
      handover: { owner: processId, leaseS: config.executor.leaseS },
    });
    closers.push(() => service.close());
    const sync = soda
      ? createSyncService({
          pool, clock, jobs: service.forKind(SODA_SYNC_KIND), products: soda.engine.products, authority: config.ivoAuthority,
          presets: committedPresets, archiveRoot: soda.root, pipeline: soda.engine.pipeline, dataDir: config.dataDir, waitS: config.soda.syncWaitS,
        })
      : undefined;
    return { service, asyncJobs: service.forKind(asyncRunner.kind), sync };
  });

  const takeOverJobs = async () => {
    if (!d.asyncKind && !archiveRootOf(config)) return false;
    await jobs({ reaper: false });
    return true;
  };

  const watcher = once(async (o: { fileEvents?: boolean } = {}): Promise<Watcher> => {
    const { asyncJobs } = await jobs();
    const { pipeline } = await engine({ work: config.executor.runWorker });
    const w = await startWatch({
      pipeline,
      watch: config.watch, archive: config, authority: config.ivoAuthority, publicJobs: config.auth.mode === 'anonymous',
      pool, log, clock, jobs: asyncJobs, registry: metrics().registry, fileEvents: o.fileEvents,
    });
    closers.push(() => w.stop());
    return w;
  });

  const jobCache = once(() => {
    const c = createJobCache(listener());
    closers.push(() => c.close());
    return c;
  });

  const httpApp = async (o: { upSince: Date; shutdown: AbortSignal }) => {
    const { asyncJobs, sync } = await jobs();
    const identify = identity();
    // Webhooks and e-mails are delivered by the API processes (docs/architecture.md): start the notifier here.
    notifier();
    const health = createHealthMonitor(pool);
    closers.push(() => health.stop());
    void health.check();
    return createHttpApp({
      log, baseUrl: config.baseUrl, auth: config.auth, dataDir: config.dataDir, productsRoot, waitMaxS: config.uws.waitMaxS,
      upSince: o.upSince, shutdown: o.shutdown, identify,
      jobRateLimit: createJobRateLimit({ perMinute: config.uws.jobsPerMinute, identify, buckets: createTokenBuckets({ db: pool, perMinute: config.uws.jobsPerMinute, clock }) }),
      asyncJobs, sync, archive: archive(), authority: config.ivoAuthority, links: links(), products: createProductAccess(pool),
      previews: previews(), steps: createStepViews(pool), turnaround: createTurnaroundRecords(pool),
      exampleData: () => exampleData(pool, config.ivoAuthority), health, jobCache: jobCache(), metrics: metrics(),
    });
  };

  return {
    config, log, listener, identity, archive, archiveVersion, archiveRoot, products, metrics, metricsEndpoint, notifier, links, previews, engine, jobs, takeOverJobs, watcher, jobCache, httpApp,
    async close() {
      for (const c of closers.splice(0).reverse()) await c();
    },
  };
}
