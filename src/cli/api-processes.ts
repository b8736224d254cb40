// `drsoda serve` with API_PROCESSES > 1: one host uses every core. The primary opens the database (starting the
// embedded server if there is no DATABASE_URL), applies migrations and runs the archive startup once, then forks
// that many API processes (node:cluster) that share the port. Each is a whole `drsoda serve` (its own pool,
// LISTEN connection, job manager and notifier; WAIT wakes through PostgreSQL NOTIFY, so any process can change
// a job another one waits on); only the first runs the worker (RUN_WORKER) and the watcher (--watch). SIGTERM or
// SIGINT to the primary stops every process in order; a process that dies after start is started again.
import cluster, { type Worker } from 'node:cluster';
import { startArchive } from '../archive/archive-startup.js';
import { requireArchiveRoot } from '../archive/archive-root.js';
import type { Config } from '../config.js';
import type { FactoryDeps } from '../factory.js';
import type { Logger } from '../logger.js';
import { startServer, type RunningServer } from '../server.js';
import { openDatabase } from '../store/database.js';
import { migrate } from '../store/migrate.js';

type Message = { type: 'listening'; port: number };

/** What `drsoda serve` runs: one process (API_PROCESSES=1), the primary of several, or one of its API processes. */
export async function serve(config: Config, log: Logger, o: Pick<FactoryDeps, 'asyncKind'> = {}): Promise<RunningServer> {
  if (cluster.isWorker) return startApiProcess(config, log, o);
  if (config.apiProcesses <= 1) return startServer(config, log, o);
  return startPrimary(config, log, o);
}

/** True in a forked API process: it takes SIGTERM from the primary and ignores the terminal's SIGINT. */
export const isApiProcess = () => cluster.isWorker;

async function startApiProcess(config: Config, log: Logger, o: Pick<FactoryDeps, 'asyncKind'>): Promise<RunningServer> {
  const server = await startServer(config, log, { ...o, archiveStartup: false, listeningMessage: 'api process listening' });
  process.send?.({ type: 'listening', port: server.port } satisfies Message);
  // The primary went away without stopping us (killed): do not linger as an orphan holding the port's share.
  process.on('disconnect', () => {
    void server.stop().finally(() => process.exit(0));
  });
  return server;
}

async function startPrimary(config: Config, log: Logger, o: Pick<FactoryDeps, 'asyncKind'>): Promise<RunningServer> {
  if (!o.asyncKind) requireArchiveRoot(config);
  const n = config.apiProcesses;
  const db = await openDatabase(config, log, 'drsoda-primary');
  const applied = await migrate(db.pool).catch(async (err) => {
    await db.close();
    throw err;
  });
  if (applied.length) log.info({ applied }, 'migrations applied');
  // The first process keeps the worker and the watcher; the others only answer HTTP.
  const envOf = (i: number): Record<string, string> => ({
    DATABASE_URL: db.url,
    RUN_WORKER: String(i === 0 && config.executor.runWorker),
    WATCH_ENABLED: String(i === 0 && config.watch.enabled),
  });
  const workers = new Map<Worker, number>();
  let stopping = false;
  let port = 0;
  const fork = (i: number) => {
    const w = cluster.fork(envOf(i));
    workers.set(w, i);
    return w;
  };
  const listening = (w: Worker) =>
    new Promise<number>((resolve, reject) => {
      w.on('message', (m: Message) => m?.type === 'listening' && resolve(m.port));
      w.once('exit', (code, signal) => reject(new Error(`API process ${workers.get(w)} exited (${signal ?? code}) before it was listening`)));
    });

  const first = Array.from({ length: n }, (_, i) => fork(i));
  try {
    port = (await Promise.all(first.map(listening)))[0];
  } catch (err) {
    stopping = true;
    for (const w of workers.keys()) w.process.kill('SIGTERM');
    await Promise.all([...workers.keys()].map((w) => (w.isDead() ? undefined : new Promise((r) => w.once('exit', r)))));
    await db.close();
    throw err;
  }
  cluster.on('exit', (w, code, signal) => {
    const i = workers.get(w);
    workers.delete(w);
    if (stopping || i === undefined) return;
    log.warn({ process: i, code, signal }, 'API process died; starting it again');
    setTimeout(() => !stopping && fork(i), 1000).unref();
  });
  log.info({ port, baseUrl: config.baseUrl, processes: n, database: db.embedded ? 'embedded' : 'external' }, 'drsoda listening');
  const archive = startArchive({ archive: config, baseUrl: config.baseUrl, authority: config.ivoAuthority, pool: db.pool, log });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      log.info({ processes: workers.size }, 'stopping API processes');
      const exits = [...workers.keys()].map((w) => (w.isDead() ? Promise.resolve() : new Promise<void>((r) => w.once('exit', () => r()))));
      for (const w of workers.keys()) w.process.kill('SIGTERM');
      await Promise.all(exits);
      await archive.stop();
      await db.close();
      log.info('stopped');
    })());
  return { url: `http://127.0.0.1:${port}`, port, stop };
}
