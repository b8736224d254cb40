// Opens the configured PostgreSQL: DATABASE_URL when set, else the embedded server under DATA_DIR/pg.
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createPool, type Pool } from './db.js';
import { startEmbeddedPostgres } from './embedded.js';

/** The settings it reads: DATABASE_URL, DATA_DIR (the embedded server's home) and the pool's DB_* limits. */
export type DatabaseSettings = Pick<Config, 'databaseUrl' | 'dataDir' | 'db'>;

export interface Database {
  pool: Pool;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(config: DatabaseSettings, log: Logger, applicationName = 'drsoda'): Promise<Database> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const dir = path.join(config.dataDir, 'pg');
    log.info({ dir }, 'starting embedded postgresql');
    const server = await startEmbeddedPostgres(dir, { log: (m) => log.debug({ pg: m }, 'embedded postgresql') });
    url = server.url;
    stopEmbedded = server.stop;
  }
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
    embedded: !!stopEmbedded,
    close: async () => {
      await pool.end().catch(() => {});
      if (stopEmbedded) await stopEmbedded();
    },
  };
}
