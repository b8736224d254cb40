// Applies migrations/NNNNNN_name.sql in order, each in its own transaction, under an advisory lock.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withTransaction } from './db.js';

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

// Arbitrary constant shared by every drsoda process; serialises concurrent migrators.
const MIGRATION_LOCK_KEY = 0x64727364;

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{6}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ id: Number(f.slice(0, 6)), name: f.replace(/\.sql$/, ''), sql: readFileSync(path.join(dir, f), 'utf8') }));
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Brings the database up to date and returns the names applied now. A failing migration rolls back
 * entirely (its bookkeeping row included). Throws MigrationError when the database holds migrations
 * this build does not know (it is newer than the code).
 */
export async function migrate(pool: pg.Pool, migrations = readMigrations()): Promise<string[]> {
  const applied: string[] = [];
  await withTransaction(pool, async (c) => {
    await c.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await c.query(`create table if not exists drsoda_migrations (
      id integer primary key, name text not null, applied_at timestamptz not null default now())`);
  });
  for (const m of migrations) {
    await withTransaction(pool, async (c) => {
      await c.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const done = await c.query('select 1 from drsoda_migrations where id = $1', [m.id]);
      if (done.rowCount) return;
      await c.query('insert into drsoda_migrations (id, name) values ($1, $2)', [m.id, m.name]);
      try {
        await c.query(m.sql);
      } catch (err) {
        throw new MigrationError(`${m.name}: ${(err as Error).message}`);
      }
      applied.push(m.name);
    });
  }
  const known = new Set(migrations.map((m) => m.id));
  const { rows } = await pool.query<{ id: number; name: string }>('select id, name from drsoda_migrations order by id');
  const unknown = rows.filter((r) => !known.has(r.id));
  if (unknown.length) {
    throw new MigrationError(`database has migrations this drsoda does not know (${unknown.map((r) => r.name).join(', ')}); upgrade drsoda`);
  }
  return applied;
}
