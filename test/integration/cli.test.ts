import http from 'node:http';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { until } from '../support/ops-receivers.js';
import { finished, runDrsoda, spawnDrsoda, waitForLine } from '../support/process.js';

describe('drsoda CLI', () => {
  it.each([
    [{ PORT: 'eighty' }, /^drsoda: configuration error: PORT: /],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /^drsoda: configuration error: DATABASE_URL: must be a postgres/],
  ])('exits 2 with one clear line for %j', async (env, message) => {
    const r = await runDrsoda(['serve'], env);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('prints help for every command', async () => {
    for (const cmd of [[], ['serve'], ['migrate']]) {
      const r = await runDrsoda([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: drsoda/);
    }
  });

  describe('with a database', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase({ empty: true });
    });
    afterAll(async () => {
      await db.drop();
    });

    it('serve without an archive refuses to start with one clear line, and leaves nothing running', async () => {
      const r = await runDrsoda(['serve'], { DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', DEMO_ARCHIVE: 'false', ARCHIVE_ROOT: '', LOG_LEVEL: 'silent' });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual(['drsoda: no archive to reduce from: set ARCHIVE_ROOT to the folder of raw frames, or DEMO_ARCHIVE=true for the simulated demo night']);
    });

    it('migrate applies migrations, then reports the database up to date', async () => {
      const first = await runDrsoda(['migrate'], { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^applied 000001_/);
      const second = await runDrsoda(['migrate'], { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
      expect(second.stdout.trim()).toBe('database is up to date');
    });

    it('SIGTERM lets a request in flight complete, then stops accepting and exits 0', async () => {
      const child = spawnDrsoda(['serve'], { DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1' });
      const done = finished(child);
      const line = await waitForLine(child, /drsoda listening/);
      const port = JSON.parse(line).port as number;
      await waitForLine(child, /demo archive ready/, 120_000);
      // Hold a request in flight: the frame list's query waits on this table lock (availability no longer touches
      // the database per request, and nothing else reads frame once the demo archive is ingested).
      const locker = new pg.Client({ connectionString: db.url });
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table frame in access exclusive mode');
      const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/api/frames?limit=1', agent: false }, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
      // In flight means its query waits on the lock: wait for that, then for the server to say it stops.
      const waiting = `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%frame%'`;
      await until('the frame list waiting on the lock', async () => (await db.pool.query(waiting)).rows[0].n, (n) => n > 0);
      const stopping = waitForLine(child, /shutting down/);
      child.kill('SIGTERM');
      await stopping;
      await expect(fetch(`http://127.0.0.1:${port}/soda/availability`)).rejects.toThrow();
      await locker.query('rollback');
      await locker.end();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).frames).toHaveLength(1);
      const exit = await done;
      expect(exit.code).toBe(0);
      expect(exit.stdout).toMatch(/"msg":"stopped"/);
    });
  });
});
