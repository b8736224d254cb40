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

/**
 * Requests arriving while a check runs share it, and a healthy answer is reused for `reuseMs` (a poller asking
 * VOSI availability hundreds of times a second costs one query per interval); an unhealthy one is never reused,
 * so recovery shows at once.
 */
export function createDatabaseHealth(pool: Pool, timeoutMs = 3000, reuseMs = 500): () => Promise<DatabaseHealth> {
  let running: Promise<DatabaseHealth> | undefined;
  let healthyAt = -Infinity;
  const check = async (): Promise<DatabaseHealth> => {
    try {
      const latest = await withTimeout(latestMigration(pool), timeoutMs, 'database health check');
      if (latest === null) return { up: false, note: 'database schema is not migrated' };
      healthyAt = performance.now();
      return { up: true };
    } catch (err) {
      healthyAt = -Infinity;
      return { up: false, note: `database unreachable: ${(err as Error).message}` };
    }
  };
  return () => {
    if (performance.now() - healthyAt < reuseMs) return Promise.resolve({ up: true });
    return (running ??= check().finally(() => {
      running = undefined;
    }));
  };
}
