// Health queries for VOSI availability: the database answers and its schema is migrated.
import type { Queryable } from './db.js';

/** The newest applied migration id, or null if none; throws when the server does not answer. */
export async function latestMigration(db: Queryable): Promise<number | null> {
  const { rows } = await db.query<{ id: number | null }>('select max(id) as id from drsoda_migrations');
  return rows[0].id;
}
