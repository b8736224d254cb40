// `drsoda serve`: database -> migrations -> app -> listen, and an orderly shutdown on SIGTERM/SIGINT.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { answerClientErrors } from './http/client-error.js';
import { startArchive } from './archive/archive-startup.js';
import { systemClock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase } from './database.js';
import type { Logger } from './logger.js';
import { migrate } from './store/migrate.js';
import { recordInstanceStart, recordInstanceStop } from './store/instance-store.js';
import { version } from './version.js';
import { archiveRootOf } from './archive/archive-root.js';
import { startEngine } from './scheduler/start-engine.js';
import { sodaPublish } from './soda/soda-wiring.js';
import { createMetrics } from './ops/metrics.js';
import { startWatch, type Watcher } from './watch/watch-service.js';

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the pool and database. */
  stop(): Promise<void>;
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const db = await openDatabase(config, log);
  try {
    const applied = await migrate(db.pool);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } catch (err) {
    await db.close();
    throw err;
  }
  const instanceId = randomUUID();
  const upSince = await recordInstanceStart(db.pool, { id: instanceId, role: 'serve', hostname: os.hostname(), pid: process.pid, version });
  const shutdown = new AbortController();
  // The execution engine runs SODA reductions (and, with RUN_WORKER, their steps) in this process.
  const archiveRoot = archiveRootOf(config);
  const engine = archiveRoot
    ? await startEngine({ config, pool: db.pool, databaseUrl: db.url, clock: systemClock, log, archiveRoot, work: config.executor.runWorker, publish: sodaPublish({ config, pool: db.pool }) }).catch(async (err) => {
        await db.close();
        throw err;
      })
    : undefined;
  // WATCH_ENABLED (serve --watch): the archive watcher auto-reduces new frames; its metrics join the app's /metrics.
  const metrics = config.watch.enabled ? createMetrics({ pool: db.pool, log, poolMax: config.db.poolSize }) : undefined;
  let watcher: Watcher | undefined;
  if (metrics) {
    watcher = await (engine ? startWatch({ config, pool: db.pool, log, clock: systemClock, engine, registry: metrics.registry }) : Promise.reject(new Error('WATCH_ENABLED needs an archive (ARCHIVE_ROOT)'))).catch(async (err) => {
      metrics.close();
      await engine?.stop();
      await db.close();
      throw err;
    });
  }
  const app = createApp({ config, pool: db.pool, log, clock: systemClock, upSince, shutdown: shutdown.signal, engine, metrics });
  const server = http.createServer(app.express);
  answerClientErrors(server);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch(async (err) => {
    // A busy port: release the engine's workers and the (maybe embedded) database before reporting it.
    await watcher?.stop();
    metrics?.close();
    await app.close();
    await engine?.stop();
    await db.close();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, baseUrl: config.baseUrl, database: db.embedded ? 'embedded' : 'external' }, 'drsoda listening');
  // Indexing (and, for the demo, simulating) the archive runs in the background: the service answers now.
  const archive = startArchive({ config, pool: db.pool, log });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down');
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await closed;
      clearTimeout(grace);
      await watcher?.stop();
      metrics?.close();
      await app.close();
      await engine?.stop();
      await archive.stop();
      await recordInstanceStop(db.pool, instanceId).catch(() => {});
      await db.close();
      log.info('stopped');
    })());
  return { url: `http://127.0.0.1:${port}`, port, stop };
}
