// The PostgreSQL pool: statement and connect timeouts on every connection, and a transaction helper.
import pg from 'pg';
import { isDatabaseUnavailable } from '../errors.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface PoolOptions {
  connectionString: string;
  max: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  applicationName?: string;
}

// BIGINT (int8) columns hold byte sizes and counts that fit in a double; parse them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export function createPool(o: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: o.connectionString,
    max: o.max,
    statement_timeout: o.statementTimeoutMs,
    connectionTimeoutMillis: o.connectTimeoutMs,
    idleTimeoutMillis: 30000,
    application_name: o.applicationName ?? 'drsoda',
  });
  // An idle client losing its server (restart, network) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

/**
 * Runs fn, again while it fails because the database is unavailable (backoff from 250 ms to 5 s), for at most
 * maxMs; then, or on any other error, rethrows. For writes that must not be lost to a database restart.
 */
export async function retryWhileUnavailable<T>(fn: () => Promise<T>, maxMs = 120000): Promise<T> {
  const t0 = Date.now();
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await fn();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() - t0 + delay > maxMs) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Runs fn inside BEGIN/COMMIT on one client; rolls back and rethrows on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Resolves with fn's value, or rejects when it takes longer than ms (the work itself is not cancelled). */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
