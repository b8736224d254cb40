// Opens the configured PostgreSQL: DATABASE_URL when set, else the embedded server under DATA_DIR/pg, which a
// process attaches to when another drsoda (serve, worker, a subcommand) already runs it there.
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createPool, type Pool } from './db.js';
import { runningEmbedded, startEmbeddedPostgres } from './embedded.js';

/** The settings it reads: DATABASE_URL, DATA_DIR (the embedded server's home) and the pool's DB_* limits. */
export type DatabaseSettings = Pick<Config, 'databaseUrl' | 'dataDir' | 'db'>;

export interface Database {
  pool: Pool;
  url: string;
  embedded: boolean;
  /** The embedded server another process started: close() leaves it running for that process. */
  attached: boolean;
  close(): Promise<void>;
}

interface Embedded {
  url: string;
  stop?: () => Promise<void>;
}

/** The embedded server under dir: the running one, else one started here (which close() stops). */
async function embeddedServer(dir: string, log: Logger): Promise<Embedded> {
  const attach = () => {
    const running = runningEmbedded(dir);
    if (running) log.info({ dir, port: running.port, pid: running.pid }, 'attaching to the embedded postgresql another drsoda runs');
    return running ? { url: running.url } : undefined;
  };
  const found = attach();
  if (found) return found;
  log.info({ dir }, 'starting embedded postgresql');
  try {
    const server = await startEmbeddedPostgres(dir, { log: (m) => log.debug({ pg: m }, 'embedded postgresql') });
    return { url: server.url, stop: server.stop };
  } catch (err) {
    // Another process may have started it in the meantime (its lock file refused us): use that one.
    const raced = attach();
    if (raced) return raced;
    throw err;
  }
}

export async function openDatabase(config: DatabaseSettings, log: Logger, applicationName = 'drsoda'): Promise<Database> {
  const embedded = config.databaseUrl ? undefined : await embeddedServer(path.join(config.dataDir, 'pg'), log);
  const url = config.databaseUrl ?? embedded!.url;
  const pool = createPool({
    connectionString: url,
    max: config.db.poolSize,
    statementTimeoutMs: config.db.statementTimeoutMs,
    connectTimeoutMs: config.db.connectTimeoutMs,
    applicationName,
  });
  return {
    pool,
    url,
    embedded: !!embedded,
    attached: !!embedded && !embedded.stop,
    close: async () => {
      if (embedded?.stop) {
        // Processes attached to this server lose their database with it: say so, so the order of stopping is clear.
        const others = await pool
          .query<{ n: number }>(`select count(distinct application_name)::int as n from pg_stat_activity
            where backend_type = 'client backend' and datname = current_database() and application_name <> $1`, [applicationName])
          .then((r) => r.rows[0].n, () => 0);
        if (others) log.warn({ processes: others }, 'stopping the embedded postgresql while other drsoda processes use it');
      }
      await pool.end().catch(() => {});
      if (embedded?.stop) await embedded.stop();
    },
  };
}
