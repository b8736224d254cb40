// `drsoda serve`: database -> migrations -> the composition root's services -> listen, and an orderly shutdown.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { requireArchiveRoot } from './archive/archive-root.js';
import { startArchive } from './archive/archive-startup.js';
import { systemClock } from './clock.js';
import type { Config } from './config.js';
import { createFactory, type FactoryDeps } from './factory.js';
import { answerClientErrors } from './http/client-error.js';
import type { Logger } from './logger.js';
import { openDatabase } from './store/database.js';
import { recordInstanceStart, recordInstanceStop } from './store/instance-store.js';
import { migrate } from './store/migrate.js';
import { version } from './version.js';

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the services and database. */
  stop(): Promise<void>;
}

export interface ServerOptions extends Pick<FactoryDeps, 'asyncKind'> {
  /** false in the API processes of API_PROCESSES > 1: their primary runs the archive startup once. */
  archiveStartup?: boolean;
  /** The log line once listening ('drsoda listening'; API processes say which they are). */
  listeningMessage?: string;
}

/** o.asyncKind: the job kind behind /soda/async instead of SODA (the job manager's own tests, see FactoryDeps). */
export async function startServer(config: Config, log: Logger, o: ServerOptions = {}): Promise<RunningServer> {
  // SODA needs an archive: refuse to start without one (before touching the database) rather than serve a job
  // list that can run nothing.
  if (!o.asyncKind) requireArchiveRoot(config);
  const db = await openDatabase(config, log);
  const factory = createFactory({ config, pool: db.pool, log, clock: systemClock, asyncKind: o.asyncKind });
  const shutdown = new AbortController();
  const instanceId = randomUUID();
  let server: http.Server | undefined;
  try {
    const applied = await migrate(db.pool);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const upSince = await recordInstanceStart(db.pool, { id: instanceId, role: 'serve', hostname: os.hostname(), pid: process.pid, version });
    const app = await factory.httpApp({ upSince, shutdown: shutdown.signal });
    // WATCH_ENABLED (serve --watch): the archive watcher auto-reduces new frames through the same job list.
    if (config.watch.enabled) await factory.watcher();
    const s = http.createServer(app);
    server = s;
    answerClientErrors(s);
    s.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    // A busy port or a bad setting: release the workers and the (maybe embedded) database before reporting it.
    await factory.close().catch(() => {});
    await db.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  log.info({ port, baseUrl: config.baseUrl, database: db.embedded ? 'embedded' : 'external', pid: process.pid }, o.listeningMessage ?? 'drsoda listening');
  // Indexing (and, for the demo, simulating) the archive runs in the background: the service answers now.
  const archive = o.archiveStartup === false ? { stop: async () => {} } : startArchive({ archive: config, baseUrl: config.baseUrl, authority: config.ivoAuthority, pool: db.pool, log });

  const s = server;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down');
      shutdown.abort();
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      const grace = setTimeout(() => s.closeAllConnections(), config.shutdownGraceMs);
      await closed;
      clearTimeout(grace);
      await factory.close();
      await archive.stop();
      await recordInstanceStop(db.pool, instanceId).catch(() => {});
      await db.close();
      log.info('stopped');
    })());
  return { url: `http://127.0.0.1:${port}`, port, stop };
}
