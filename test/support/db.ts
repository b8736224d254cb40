// A fresh database per test file, cloned from the migrated template that global-setup built.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool, type Pool } from '../../src/store/db.js';

const TEMPLATE_DB = 'drsoda_test_template';

export function adminUrl(): string {
  const url = process.env.DRSODA_TEST_ADMIN_URL;
  if (!url) throw new Error('DRSODA_TEST_ADMIN_URL is not set: run tests through jest (global-setup starts PostgreSQL)');
  return url;
}

export function urlFor(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  /** Ends the pool and drops the database. */
  drop(): Promise<void>;
}

/** Creates a database: a clone of the migrated template, or empty with { empty: true }. */
export async function createTestDatabase(opts: { empty?: boolean; poolSize?: number } = {}): Promise<TestDatabase> {
  const name = `drsoda_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(opts.empty ? `create database ${name}` : `create database ${name} template ${TEMPLATE_DB}`));
  const url = urlFor(name);
  const pool = createPool({ connectionString: url, max: opts.poolSize ?? 10, statementTimeoutMs: 30000, connectTimeoutMs: 10000 });
  return {
    name,
    url,
    pool,
    drop: async () => {
      await pool.end();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
