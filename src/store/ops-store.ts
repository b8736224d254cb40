// Read-only statements behind the Prometheus gauges (ops/metrics.ts) and `drsoda doctor`: counts by state,
// cheap enough to run at every scrape (grouped counts over indexed, bounded tables).
import type { Queryable } from './db.js';

export interface JobCount {
  kind: string;
  phase: string;
  n: number;
}

export async function jobCountsByPhase(db: Queryable): Promise<JobCount[]> {
  const { rows } = await db.query<JobCount>('select kind, phase, count(*)::int as n from uws_job group by kind, phase');
  return rows;
}

export async function stepCountsByState(db: Queryable): Promise<{ state: string; n: number }[]> {
  const { rows } = await db.query<{ state: string; n: number }>('select state, count(*)::int as n from step group by state');
  return rows;
}

/** Ready steps a worker may claim now, and how long the oldest of them has waited (seconds, 0 when none). */
export async function queueDepth(db: Queryable): Promise<{ depth: number; oldestS: number }> {
  const { rows } = await db.query<{ depth: number; oldest_s: number | null }>(
    `select count(*)::int as depth, extract(epoch from now() - min(ready_at))::float8 as oldest_s
       from step where state = 'ready' and (not_before is null or not_before <= now())`,
  );
  return { depth: rows[0].depth, oldestS: Math.max(0, rows[0].oldest_s ?? 0) };
}

export async function notificationCounts(db: Queryable): Promise<{ channel: string; state: string; n: number }[]> {
  const { rows } = await db.query<{ channel: string; state: string; n: number }>(
    'select channel, state, count(*)::int as n from notification group by channel, state',
  );
  return rows;
}

/** Applied migrations, oldest first (doctor compares them with migrations/); empty on a new database. */
export async function appliedMigrations(db: Queryable): Promise<{ id: number; name: string }[]> {
  const { rows } = await db.query<{ id: number; name: string }>(
    'select id, name from drsoda_migrations order by id',
  ).catch(async (err: { code?: string }) => {
    // 42P01: the bookkeeping table does not exist yet (nothing applied).
    if (err.code === '42P01') return { rows: [] };
    throw err;
  });
  return rows;
}
