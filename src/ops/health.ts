// The service's own health for VOSI availability: the database answers within a deadline and its schema is
// migrated. Checked in the background (one query per interval and process), so an availability request never
// waits on the database, and a hung or lost database shows as down within `intervalMs + timeoutMs`.
import type { Pool } from '../store/db.js';
import { withTimeout } from '../store/db.js';
import { latestMigration } from '../store/health-store.js';

export interface DatabaseHealth {
  up: boolean;
  /** Why not, for the availability notes. */
  note?: string;
}

export interface HealthMonitor {
  /** The latest state, or undefined before the first check finished. */
  current(): DatabaseHealth | undefined;
  /** The latest state; waits for the first check when none has finished yet. */
  check(): Promise<DatabaseHealth>;
  stop(): void;
}

export interface HealthMonitorOptions {
  /** Pause between the end of one check and the start of the next. */
  intervalMs?: number;
  /** A check that takes longer says the database is down. */
  timeoutMs?: number;
}

/**
 * Checks the database every `intervalMs` (the timer does not keep the process alive): a database that stops
 * answering shows as down within `intervalMs + timeoutMs` (2 s by default), a refused connection at the next check.
 * A state much older than that (the checks themselves stalled) is not believed: it reads as down until a check
 * succeeds again.
 */
export function createHealthMonitor(pool: Pool, o: HealthMonitorOptions = {}): HealthMonitor {
  const intervalMs = o.intervalMs ?? 500;
  const timeoutMs = o.timeoutMs ?? 1500;
  let state: DatabaseHealth | undefined;
  let at = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const probe = async (): Promise<DatabaseHealth> => {
    try {
      const latest = await withTimeout(latestMigration(pool), timeoutMs, 'database health check');
      return latest === null ? { up: false, note: 'database schema is not migrated' } : { up: true };
    } catch (err) {
      return { up: false, note: `database unreachable: ${(err as Error).message}` };
    }
  };
  let running: Promise<DatabaseHealth> | undefined;
  const run = (): Promise<DatabaseHealth> =>
    (running ??= probe().then((s) => {
      state = s;
      at = performance.now();
      running = undefined;
      if (!stopped) {
        clearTimeout(timer);
        timer = setTimeout(() => void run(), intervalMs);
        timer.unref();
      }
      return s;
    }));
  const staleMs = 2 * (intervalMs + timeoutMs);
  const stale: DatabaseHealth = { up: false, note: `database health unknown: no check finished in the last ${staleMs} ms` };
  const current = () => {
    if (state === undefined) return undefined;
    return performance.now() - at > staleMs ? stale : state;
  };
  return {
    current,
    check: async () => current() ?? run(),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
