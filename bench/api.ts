// Synthetic API benchmarks on loopback with autocannon against the real app and PostgreSQL (the real SODA jobs
// are bench/uws-soda.ts): job creation, job GETs,
// LAST=100 on a big job table, WAIT wake-up latency, and many concurrent WAIT clients. The app is the one the
// composition root builds for `drsoda serve`, with the tests' sleep job kind behind /soda/async, so the figures
// are the job manager's (UWS, HTTP, database) and not a reduction's.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createFactory } from '../src/factory.js';
import { createLogger } from '../src/logger.js';
import { markQueued } from '../src/store/job-store.js';
import { createSleepRunner } from '../test/support/sleep-runner.js';
import { ms, summarize, type Bench, type Row } from './lib.js';
import { benchServer, type BenchDb } from './support.js';

async function startApp(db: BenchDb) {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const config = loadConfig({ PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'silent', DEMO_ARCHIVE: 'false', DB_POOL_SIZE: '10', UWS_WAIT_MAX_S: '60', RATE_LIMIT_JOBS_PER_MIN: '0' });
  const shutdown = new AbortController();
  const factory = createFactory({ config, pool: db.pool, log: createLogger('silent'), clock: systemClock, asyncKind: createSleepRunner() });
  server.on('request', await factory.httpApp({ upSince: new Date(), shutdown: shutdown.signal }));
  server.keepAliveTimeout = 10000;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      shutdown.abort();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await factory.close();
    },
  };
}

function cannon(o: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(o, (err, res) => (err ? reject(err) : resolve(res))));
}

async function createJob(url: string): Promise<string> {
  const res = await fetch(`${url}/soda/async`, { method: 'POST', body: new URLSearchParams({ DURATION: '0' }), redirect: 'manual' });
  return res.headers.get('location')!.split('/').pop()!;
}

/** Requests per second that got `status`, per autocannon run, repeated `reps` times. */
async function rate(o: autocannon.Options, status: number, reps: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const r = await cannon(o);
    const ok = (r.statusCodeStats as Record<string, { count: number }>)[String(status)]?.count ?? 0;
    out.push(ok / r.duration); // autocannon reports duration in seconds
  }
  return out;
}

export const api: Bench = async (ctx) => {
  const rows: Row[] = [];
  const server = await benchServer();
  const db = await server.database();
  const app = await startApp(db);
  try {
    const duration = ctx.quick ? 2 : 8;
    const reps = ctx.quick ? 1 : 3;
    ctx.log('job creation');
    const creates = await rate({ url: `${app.url}/soda/async`, method: 'POST', body: 'DURATION=0', headers: { 'content-type': 'application/x-www-form-urlencoded' }, connections: 20, duration }, 303, reps);
    rows.push({ group: 'api', metric: 'job creation, synthetic sleep job (POST {jobs} -> 303)', unit: 'jobs/s', value: summarize(creates), target: '>= 1000' });
    const id = await createJob(app.url);
    ctx.log('job GET');
    const gets = await rate({ url: `${app.url}/soda/async/${id}`, connections: 20, duration }, 200, reps);
    rows.push({ group: 'api', metric: 'job document GET, synthetic sleep job', unit: 'req/s', value: summarize(gets), target: '>= 3000' });

    ctx.log('WAIT wake-up');
    const wakes: number[] = [];
    for (let i = 0; i < (ctx.quick ? 5 : 20); i++) {
      const job = await createJob(app.url);
      const answered = fetch(`${app.url}/soda/async/${job}?WAIT=30`).then(() => performance.now());
      await new Promise((r) => setTimeout(r, 100));
      const t0 = performance.now();
      await markQueued(db.pool, job, null);
      wakes.push((await answered) - t0);
    }
    rows.push({ group: 'api', metric: 'WAIT wake-up after a phase change', unit: 'ms', value: summarize(wakes), target: '< 20' });

    ctx.log('1000 concurrent WAIT clients');
    const jobs = await Promise.all(Array.from({ length: 10 }, () => createJob(app.url)));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2000 });
    const waits = Array.from({ length: 1000 }, (_, i) =>
      new Promise<number>((resolve, reject) => {
        http.get(`${app.url}/soda/async/${jobs[i % 10]}?WAIT=60&PHASE=PENDING`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(performance.now()));
        }).on('error', reject);
      }),
    );
    // PHASE=PENDING: a client that arrives after the change is answered at once instead of waiting for
    // the next one (UWS 1.1 section 2.2.1.1), so the figure is the wake-up of those already blocked.
    await new Promise((r) => setTimeout(r, ctx.quick ? 1500 : 3000));
    const { rows: conns } = await db.pool.query(`select count(*)::int as n from pg_stat_activity where datname = current_database()`);
    const t0 = performance.now();
    await Promise.all(jobs.map((j) => markQueued(db.pool, j, null)));
    const ends = await Promise.all(waits);
    agent.destroy();
    rows.push({ group: 'api', metric: '1000 concurrent WAITs: all answered after their phase changes', unit: 'ms', value: summarize([Math.max(...ends) - t0]), note: `${conns[0].n} database connections while blocked` });

    const total = ctx.quick ? 100000 : 1000000;
    ctx.log(`seeding ${total} jobs`);
    const t1 = performance.now();
    // Bench data only: bulk rows shaped like real jobs (same kind, owner, phases and time spread).
    await db.pool.query(
      `insert into uws_job (id, kind, owner_id, phase, creation_time, execution_duration, destruction)
       select 'seed' || g, 'sleep', null, (array['COMPLETED','ERROR','ABORTED','PENDING'])[1 + g % 4],
              now() - make_interval(secs => g), 3600, now() + interval '30 days'
         from generate_series(1, $1) g`,
      [total],
    );
    await db.pool.query('analyze uws_job');
    ctx.log(`seeded in ${(ms(t1) / 1000).toFixed(1)} s`);
    const lasts: number[] = [];
    for (let i = 0; i < (ctx.quick ? 10 : 50); i++) {
      const t = performance.now();
      const res = await fetch(`${app.url}/soda/async?LAST=100`);
      await res.text();
      lasts.push(ms(t));
    }
    rows.push({ group: 'api', metric: `job list LAST=100 with ${total.toLocaleString('en')} jobs`, unit: 'ms', value: summarize(lasts), target: '< 20' });
  } finally {
    await app.close();
    await server.close();
  }
  return rows;
};
