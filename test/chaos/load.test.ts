// Load: 200 concurrent clients against `drsoda serve` for 60 s, each creating a sleep job with PHASE=RUN, polling
// it with WAIT until it is final, reading it and deleting it, over and over. No 5xx and no failed connection; the
// p99 latency of the non-blocking requests is reported; the process's database connections stay within its pool
// (pg_stat_activity) and its resident memory stays flat (sampled every second).
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectInvariants } from '../support/invariants.js';
import { startDrsoda, tmpDir, type DrsodaProcess } from './chaos-support.js';

const CLIENTS = 200;
const DURATION_MS = 60000;
const POOL = 10;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const median = (xs: number[]) => quantile(xs, 0.5);
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

describe('200 concurrent clients for 60 s', () => {
  let db: TestDatabase;
  let serve: DrsodaProcess | undefined;
  let probe: pg.Client | undefined;
  afterAll(async () => {
    await probe?.end();
    await serve?.stop(20000);
    await db?.drop();
  });

  it('never answers 5xx, keeps its connections bounded and its memory flat', async () => {
    db = await createTestDatabase();
    const dataDir = tmpDir('drsoda-chaos-load-');
    serve = await startDrsoda('sleep-serve', { DATABASE_URL: db.url, DATA_DIR: dataDir, DB_POOL_SIZE: String(POOL), RATE_LIMIT_JOBS_PER_MIN: '0', LOG_LEVEL: 'warn' });
    const jobs = `${serve.url}/soda/async`;
    probe = new pg.Client({ connectionString: db.url, application_name: 'chaos-probe' });
    await probe.connect();

    const latency: Record<string, number[]> = { create: [], get: [], delete: [], wait: [] };
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let cycles = 0;
    const end = Date.now() + DURATION_MS;
    const call = async (kind: string, url: string, init: RequestInit = {}): Promise<{ res: Response; body: string } | null> => {
      const t0 = performance.now();
      try {
        const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(60000), ...init });
        const body = await res.text();
        latency[kind].push(performance.now() - t0);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) failures.push(`${kind} ${url}: ${res.status} ${body.slice(0, 200)}`);
        return { res, body };
      } catch (e) {
        failures.push(`${kind} ${url}: ${(e as Error).message}`);
        return null;
      }
    };
    async function client(n: number): Promise<void> {
      while (Date.now() < end) {
        const created = await call('create', jobs, { method: 'POST', body: new URLSearchParams({ DURATION: String((n % 5) / 10), PHASE: 'RUN', RUNID: `load${n}` }) });
        const job = created?.res.status === 303 ? created.res.headers.get('location') : null;
        if (!job) continue;
        for (let i = 0; i < 20; i++) {
          const r = await call('wait', `${job}?WAIT=5`);
          if (!r || !/<uws:phase>(PENDING|QUEUED|EXECUTING)</.test(r.body)) break;
        }
        await call('get', `${job}/phase`);
        await call('delete', job, { method: 'DELETE' });
        cycles++;
      }
    }

    const rss: number[] = [];
    const connections: number[] = [];
    const sampler = setInterval(() => {
      if (serve!.child.exitCode === null) rss.push(rssMb(serve!.pid));
      probe!.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name <> 'chaos-probe'`).then(
        (r) => connections.push(r.rows[0].n),
        () => {},
      );
    }, 1000);
    const t0 = Date.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n))).finally(() => clearInterval(sampler));
    const seconds = (Date.now() - t0) / 1000;

    const all = [...latency.create, ...latency.get, ...latency.delete];
    const warm = rss.slice(10, 20);
    const last = rss.slice(-10);
    const report = {
      seconds: Math.round(seconds),
      cycles,
      requests: [...statuses.values()].reduce((a, b) => a + b, 0),
      perSecond: Math.round(all.length / seconds),
      statuses: Object.fromEntries(statuses),
      p50Ms: Math.round(median(all)),
      p99Ms: Math.round(quantile(all, 0.99)),
      p99CreateMs: Math.round(quantile(latency.create, 0.99)),
      maxConnections: Math.max(...connections),
      rssMb: { warm: Math.round(median(warm)), last: Math.round(median(last)), max: Math.round(Math.max(...rss)) },
    };
    console.log(`load: ${JSON.stringify(report)}`);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(cycles).toBeGreaterThan(CLIENTS);
    // The pool plus the one LISTEN connection of the job service.
    expect(report.maxConnections).toBeLessThanOrEqual(POOL + 1);
    // Flat: after warm-up, the last ten seconds sit within a quarter (plus GC slack) of seconds 10-20.
    expect(report.rssMb.last).toBeLessThan(report.rssMb.warm * 1.25 + 32);
    await expectInvariants({ pool: db.pool, dataDir, workerPids: [serve.pid] });
    const { rows } = await db.pool.query(`select count(*)::int as n from uws_job`);
    expect(rows[0].n).toBe(0);
  });
});
