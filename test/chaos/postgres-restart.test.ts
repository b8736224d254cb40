// PostgreSQL restarted under a running service: `drsoda serve` (sleep jobs running in the API process, blocked
// WAITs) and a `drsoda worker` (steps of reduction plans) against a cluster this test owns. While the database is
// down the API answers 503 ServiceUnavailable, never a 500; afterwards both processes reconnect on their own,
// every job finishes and the invariants hold.
import { createPool, type Pool } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { fakeAaorun, fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakeAaorunVersion, fakePlan, workerPipeline } from '../support/fake-plan.js';
import { expectInvariants } from '../support/invariants.js';
import { ownPostgres, startDrsoda, tmpDir, until, type DrsodaProcess, type OwnPostgres } from './chaos-support.js';

describe('PostgreSQL restart during a run', () => {
  let pg: OwnPostgres;
  let pool: Pool;
  const procs: DrsodaProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.stop(15000);
    await pool?.end();
    await pg?.destroy();
  });

  it('reconnects, finishes every job and answers 503 (not 500) while the database is away', async () => {
    pg = await ownPostgres();
    pool = createPool({ connectionString: pg.url, max: 4, statementTimeoutMs: 10000, connectTimeoutMs: 3000 });
    await migrate(pool);
    const dataDir = tmpDir('drsoda-chaos-pg-data-');
    const archive = fakeArchive(['261126/ccd_1/26nov10001.fits']);
    const common = { DATABASE_URL: pg.url, DATA_DIR: dataDir, DB_CONNECT_TIMEOUT_MS: '3000', RATE_LIMIT_JOBS_PER_MIN: '0' };
    const serve = await startDrsoda('sleep-serve', common);
    procs.push(serve);
    const worker = await startDrsoda('worker', { ...common, ARCHIVE_ROOT: archive, EXECUTOR: 'local', AAORUN_COMMAND: `sh ${fakeAaorun}`, PIPELINE_VERSION: fakeAaorunVersion, STEP_LEASE_S: '3', WORKER_CONCURRENCY: '2' });
    procs.push(worker);
    const jobs = `${serve.url}/soda/async`;

    // Sleep jobs that end while the database is down, and after it is back.
    const sleepJobs: string[] = [];
    for (const duration of ['2', '3', '4', '8']) {
      const res = await fetch(jobs, { method: 'POST', body: new URLSearchParams({ DURATION: duration, PHASE: 'RUN' }), redirect: 'manual' });
      expect(res.status).toBe(303);
      sleepJobs.push(res.headers.get('location')!);
    }
    const waits = sleepJobs.map((u) => fetch(`${u}?WAIT=30`).then((r) => r.status, (e: Error) => e.message));
    // Reductions whose steps run across the outage.
    const submitter = testEngine(pool, pg.url, { archiveRoot: archive, dataDir, work: false });
    const planJobs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await queuedJob(pool, `user${i}`);
      await submitter.submit(id, `user${i}`, fakePlan([
        { name: 'a', raw: ['261126/ccd_1/26nov10001.fits'], sleepS: 1 },
        { name: 'b', after: ['a'], sleepS: 3 },
        { name: 'c', after: ['b'] },
      ], `pg-${i}`, workerPipeline));
      planJobs.push(id);
    }
    await until('a step to run', async () => (await pool.query(`select 1 from step where state = 'running'`)).rowCount, 20000);

    await pg.stop();
    const t0 = Date.now();
    const during: number[] = [];
    let lateAvailability = 0;
    while (Date.now() - t0 < 4000) {
      const links = `${serve.url}/soda/links?ID=${encodeURIComponent('ivo://drsoda.example.org/aat?2014-09-26/ccd1/0001')}`;
      for (const u of [sleepJobs[0], jobs, links, `${serve.url}/soda/availability`]) {
        const r = await fetch(u, { signal: AbortSignal.timeout(15000) });
        const body = await r.text();
        during.push(r.status);
        if (r.status >= 500) {
          expect(r.status).toBe(503);
          // DALI text/plain, or the DataLink fault in a VOTable (DataLink 1.1 section 3.4).
          expect(body).toMatch(u === links ? /<INFO name="QUERY_STATUS" value="ERROR">TransientFault: / : /^ServiceUnavailable: /);
          expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
        }
        // Availability comes from the background health check (every 500 ms, 1.5 s timeout): down within ~2 s.
        if (u.endsWith('/availability') && Date.now() - t0 > 2500) {
          lateAvailability++;
          expect(body).toContain('<vosi:available>false</vosi:available>');
        }
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await pg.start();
    const restarted = Date.now();
    expect(during).toContain(503);
    expect(lateAvailability).toBeGreaterThan(0);

    for (const id of planJobs) expect((await settled(pool, id, 90000)).phase).toBe('COMPLETED');
    await until('sleep jobs to finish', async () => {
      const phases = await Promise.all(sleepJobs.map(async (u) => (await fetch(`${u}/phase`)).text()));
      return phases.every((p) => ['COMPLETED', 'ERROR'].includes(p)) && phases;
    }, 60000, 500);
    const recoveredS = (Date.now() - restarted) / 1000;
    const phases = await Promise.all(sleepJobs.map(async (u) => (await fetch(`${u}/phase`)).text()));
    expect(phases).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    // Blocked WAITs answered (woken by the listener's reconnect, or at their timeout), none with a 5xx.
    for (const w of await Promise.all(waits)) expect(w).toBe(200);
    await expectInvariants({ pool, dataDir, http: { jobsUrl: jobs, kind: 'sleep' }, workerPids: [serve.pid, worker.pid] });
    expect((await fetch(`${serve.url}/soda/availability`).then((r) => r.text()))).toContain('<vosi:available>true</vosi:available>');
    const count = (c: number) => during.filter((x) => x === c).length;
    console.log(`postgres-restart: database down ${((restarted - t0) / 1000).toFixed(1)} s; ${during.length} requests meanwhile: ${count(200)} x 200, ${count(503)} x 503, ${during.filter((x) => x >= 500 && x !== 503).length} other 5xx; all 7 jobs COMPLETED ${recoveredS.toFixed(1)} s after the restart`);
    await submitter.stop();
  });
});
