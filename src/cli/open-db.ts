// Opening the database from a subcommand (ingest, frames, plan, token, worker, watch): DATABASE_URL, or the
// embedded PostgreSQL under DATA_DIR (attached to when a running drsoda serve holds it), migrated.
import type { Config } from '../config.js';
import { openDatabase, type Database } from '../store/database.js';
import type { Logger } from '../logger.js';
import { systemClock } from '../clock.js';
import { createFactory, type Factory } from '../factory.js';
import { migrate } from '../store/migrate.js';
import { failureLine } from './context.js';

/** Opens and migrates the database. Throws an Error whose message names the way out. */
export async function openCliDatabase(config: Config, log: Logger, applicationName: string): Promise<Database> {
  let db: Database;
  try {
    db = await openDatabase(config, log, applicationName);
  } catch (err) {
    const hint = config.databaseUrl ? '' : `; check ${config.dataDir}/pg (permissions, disk space) or set DATABASE_URL`;
    throw new Error(`cannot open the database: ${failureLine(err)}${hint}`);
  }
  try {
    await migrate(db.pool);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** The database and the composition root of a subcommand; close() stops what the root built, then the database. */
export async function openCliServices(config: Config, log: Logger, applicationName: string): Promise<{ factory: Factory; close(): Promise<void> }> {
  const db = await openCliDatabase(config, log, applicationName);
  const factory = createFactory({ config, pool: db.pool, log, clock: systemClock });
  return {
    factory,
    close: async () => {
      await factory.close();
      await db.close();
    },
  };
}
