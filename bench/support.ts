// A real PostgreSQL for benchmarks (DATABASE_URL's server, or an embedded one in /tmp), one fresh
// migrated database per run, and helpers to run one-off jobs through the engine and wait on LISTEN.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ingestArchive } from '../src/archive/ingest.js';
import { createLogger } from '../src/logger.js';
import { simulateNight } from '../src/simulate/index.js';
import { listFrames } from '../src/store/frame-store.js';
import { createPool, type Pool } from '../src/store/db.js';
import { startEmbeddedPostgres } from '../src/store/embedded.js';
import { migrate } from '../src/store/migrate.js';
import { createNotificationListener, type NotificationListener } from '../src/store/notification-listener.js';

export interface BenchDb {
  url: string;
  pool: Pool;
  /** A LISTEN connection on the database, for waiting on job phases (terminalPhase). */
  listener: NotificationListener;
  close(): Promise<void>;
}

export interface BenchServer {
  /** A fresh migrated database with its own pool and LISTEN connection. */
  database(): Promise<BenchDb>;
  close(): Promise<void>;
}

const terminal = ['COMPLETED', 'ERROR', 'ABORTED'];

export async function benchServer(): Promise<BenchServer> {
  let admin = process.env.DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  if (!admin) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-pg-'));
    chmodSync(dir, 0o755);
    const s = await startEmbeddedPostgres(path.join(dir, 'pg'));
    admin = s.url;
    // Its folder goes with it, also when a bench file runs alone (bench/run.ts removes its whole TMPDIR anyway).
    stop = async () => {
      await s.stop();
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    };
  }
  const adminUrl = admin;
  const dbs: BenchDb[] = [];
  let n = 0;
  return {
    async database() {
      const name = `drsoda_bench_${Date.now().toString(36)}_${++n}`;
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`create database ${name}`);
      await c.end();
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      const url = u.toString();
      const pool = createPool({ connectionString: url, max: 20, statementTimeoutMs: 600000, connectTimeoutMs: 10000 });
      await migrate(pool);
      const listener = createNotificationListener({ clientConfig: { connectionString: url }, log: createLogger('silent') });
      const db: BenchDb = {
        url,
        pool,
        listener,
        close: async () => {
          await listener.close();
          await pool.end();
          const a = new pg.Client({ connectionString: adminUrl });
          await a.connect();
          await a.query(`drop database if exists ${name} with (force)`);
          await a.end();
        },
      };
      dbs.push(db);
      await listener.ready();
      return db;
    },
    async close() {
      for (const db of dbs) await db.close().catch(() => {});
      if (stop) await stop();
    },
  };
}

/**
 * Resolves with the terminal phase the job reaches (woken by NOTIFY, as the service's WAIT is). Await
 * `listener.ready()` after calling it and before making the change, so the uws_job LISTEN is active by then.
 */
export function terminalPhase(listener: NotificationListener, jobId: string, timeoutMs = 120000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`job ${jobId} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = listener.subscribe('uws_job', (e) => {
      if (e.jobId === jobId && terminal.includes(e.phase)) {
        clearTimeout(timer);
        off();
        resolve(e.phase);
      }
    });
  });
}

/**
 * The SODA benches' archive: one small simulated night (one field, one object exposure, both arms) written to root
 * and ingested; returns its blue object frame.
 */
export async function smallNight(db: BenchDb, root: string) {
  const night = '2014-09-26';
  await simulateNight({ outDir: root, night, fields: 1, objects: 1, size: 'small', seed: 3, biases: 2, darks: 0, lflats: 0 });
  await ingestArchive({ pool: db.pool, root, authority: 'bench.drsoda', log: createLogger('silent') });
  const { frames } = await listFrames(db.pool, { night: [night], ndfClass: ['MFOBJECT'], ccd: [1] }, { limit: 10, offset: 0 });
  return frames[0];
}
