// SIGKILL of `drsoda serve` right after it answered PHASE=RUN for a SODA job, before it handed the job's plan to
// the engine: a `drsoda worker` takes the QUEUED job over once the dead process's hand-over lease runs out
// (src/uws/handover.ts), plans and submits it, and the job completes with its results; the job was taken over
// once. The dead process is caught mid-hand-over on purpose: the test holds a lock on job_step (written only by the
// engine's submit; job creation writes the job, its parameters and its plan), so the submit waits in PostgreSQL and
// is killed there (its transaction never commits).
import { rmSync } from 'node:fs';
import { ingestArchive } from '../../src/archive/ingest.js';
import { createLogger } from '../../src/logger.js';
import { listFrames } from '../../src/store/frame-store.js';
import { objectFrame } from '../integration/soda-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { settled } from '../support/engine.js';
import { expectInvariants } from '../support/invariants.js';
import { SODA_AUTHORITY, simulatedArchive, type SimulatedArchive } from '../support/soda-app.js';
import { startDrsoda, tmpDir, until, type DrsodaProcess } from './chaos-support.js';

describe('SIGKILL of the API process right after PHASE=RUN', () => {
  let db: TestDatabase;
  let archive: SimulatedArchive | undefined;
  const dirs: string[] = [];
  const procs: DrsodaProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.stop(15000);
    await db?.drop();
    for (const d of [...dirs, archive?.root]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('hands the QUEUED job over to a live process, which completes it', async () => {
    db = await createTestDatabase();
    archive = await simulatedArchive();
    await ingestArchive({ pool: db.pool, root: archive.root, authority: SODA_AUTHORITY, log: createLogger('silent') });
    const { frames } = await listFrames(db.pool, { night: [archive.night] }, { limit: 10000, offset: 0 });
    const objectId = objectFrame(frames, 1).id;
    const dataDir = tmpDir('drsoda-chaos-run-');
    dirs.push(dataDir);
    const env = {
      DATABASE_URL: db.url, DATA_DIR: dataDir, ARCHIVE_ROOT: archive.root, IVO_AUTHORITY: SODA_AUTHORITY, EXECUTOR: 'local',
      STEP_LEASE_S: '2', STEP_TIMEOUT_S: '300', WORKER_CONCURRENCY: '2', RATE_LIMIT_JOBS_PER_MIN: '0',
    };
    const api = await startDrsoda('serve', { ...env, RUN_WORKER: 'false' });
    procs.push(api);
    const worker = await startDrsoda('worker', env);
    procs.push(worker);
    expect(worker.output()).toContain('"takesOverJobs":true');

    // Hold job_step so the API's submit of the plan to the engine waits in the database.
    const blocker = await db.pool.connect();
    let jobId: string;
    try {
      await blocker.query('begin');
      await blocker.query('lock table job_step in share mode');
      const res = await fetch(`${api.url}/soda/async`, { method: 'POST', body: new URLSearchParams({ ID: objectId, PHASE: 'RUN' }), redirect: 'manual' });
      expect(res.status).toBe(303);
      jobId = res.headers.get('location')!.split('/').pop()!;
      await until('the API to wait on job_step while submitting', async () =>
        (await db.pool.query(`select 1 from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'job_step' and not l.granted`)).rowCount, 30000, 20);
      const before = await db.pool.query(`select phase, handover_owner, handover_expires > now() as live from uws_job where id = $1`, [jobId]);
      expect(before.rows[0]).toMatchObject({ phase: 'QUEUED', live: true, handover_owner: expect.stringContaining(`:${api.pid}:`) });
      await api.kill();
    } finally {
      await blocker.query('commit').catch(() => {});
      blocker.release();
    }
    const killedAt = Date.now();
    // The dead submit never committed: the job has no steps yet.
    const { rows: noSteps } = await db.pool.query('select 1 from job_step where job_id = $1', [jobId]);
    expect(noSteps).toHaveLength(0);

    await until('the worker to take the job over', async () => /took over a queued job whose process stopped/.test(worker.output()), 30000);
    const takenAfterMs = Date.now() - killedAt;
    const job = await settled(db.pool, jobId, 240000);
    if (job.phase !== 'COMPLETED') throw new Error(`job ended ${job.phase}: ${job.error?.message}\n${worker.output()}`);
    expect(job.results.length).toBeGreaterThan(0);
    const { rows } = await db.pool.query(`select handover_owner, handover_expires, handover_attempts from uws_job where id = $1`, [jobId]);
    expect(rows[0]).toMatchObject({ handover_owner: expect.stringContaining(`:${worker.pid}:`), handover_expires: null, handover_attempts: 2 });
    expect(worker.output().match(/took over a queued job/g)).toHaveLength(1);
    console.log(`api-kill-run: job taken over ${takenAfterMs} ms after SIGKILL (STEP_LEASE_S=2), COMPLETED ${Date.now() - killedAt} ms after it with ${job.results.length} results`);

    // A restarted API serves the results; nothing is left behind.
    const again = await startDrsoda('serve', { ...env, RUN_WORKER: 'false' });
    procs.push(again);
    await expectInvariants({ pool: db.pool, dataDir, http: { jobsUrl: `${again.url}/soda/async`, kind: 'soda' }, workerPids: [worker.pid, again.pid], settleMs: 20000 });
    expect(await again.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
  });
});
