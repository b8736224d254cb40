// The service's own health for VOSI availability: the database answers within a deadline and its schema is
// migrated. A hung database must not hang the availability request, hence the timeout.
import type { Pool } from '../store/db.js';
import { withTimeout } from '../store/db.js';
import { latestMigration } from '../store/health-store.js';

export interface DatabaseHealth {
  up: boolean;
  /** Why not, for the availability notes. */
  note?: string;
}

export function createDatabaseHealth(pool: Pool, timeoutMs = 3000): () => Promise<DatabaseHealth> {
  return async () => {
    try {
      const latest = await withTimeout(latestMigration(pool), timeoutMs, 'database health check');
      return latest === null ? { up: false, note: 'database schema is not migrated' } : { up: true };
    } catch (err) {
      return { up: false, note: `database unreachable: ${(err as Error).message}` };
    }
  };
}
