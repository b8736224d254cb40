import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeAaorun, fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakeAaorunVersion, fakePlan, workerPipeline } from '../support/fake-plan.js';
import { finished, spawnDrsoda, waitForLine } from '../support/process.js';
import { stepsOfJob } from '../../src/store/step-store.js';

describe('two worker processes, one killed with SIGKILL mid-step', () => {
  let db: TestDatabase;
  const workers: ChildProcess[] = [];
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await db?.drop();
  });

  it('re-runs the lost step on the other worker; the job completes and nothing finished runs twice', async () => {
    db = await createTestDatabase();
    const archive = fakeArchive(['261126/ccd_1/26nov10001.fits']);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-crash-'));
    const env = {
      DATABASE_URL: db.url, DATA_DIR: dataDir, ARCHIVE_ROOT: archive, EXECUTOR: 'local',
      AAORUN_COMMAND: `sh ${fakeAaorun}`, PIPELINE_VERSION: fakeAaorunVersion, STEP_LEASE_S: '2', WORKER_CONCURRENCY: '1',
    };
    for (let i = 0; i < 2; i++) {
      const w = spawnDrsoda(['worker'], env);
      workers.push(w);
      await waitForLine(w, /drsoda worker ready/);
    }
    const submitter = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir, work: false });
    const jobId = await queuedJob(db.pool);
    await submitter.submit(jobId, 'alice', fakePlan([
      { name: 'first', raw: ['261126/ccd_1/26nov10001.fits'] },
      { name: 'long', after: ['first'], sleepS: 3 },
      { name: 'last', after: ['long'] },
    ], 'crash', workerPipeline));

    let victim: string | null = null;
    for (let i = 0; i < 200 && !victim; i++) {
      const { rows } = await db.pool.query(`select lease_owner from step where label = 'fake long' and state = 'running'`);
      victim = rows[0]?.lease_owner ?? null;
      if (!victim) await new Promise((r) => setTimeout(r, 50));
    }
    expect(victim).not.toBeNull();
    const pid = Number(victim!.split(':')[1]);
    const killed = workers.find((w) => w.pid === pid)!;
    expect(killed).toBeDefined();
    killed.kill('SIGKILL');

    const job = await settled(db.pool, jobId, 40000);
    expect(job.phase).toBe('COMPLETED');
    const attempts = Object.fromEntries((await stepsOfJob(db.pool, jobId)).map((s) => [s.label, s.attempts]));
    expect(attempts).toEqual({ 'fake first': 1, 'fake long': 2, 'fake last': 1 });
    const survivor = workers.find((w) => w !== killed)!;
    const exit = finished(survivor);
    survivor.kill('SIGTERM');
    expect((await exit).code).toBe(0);
  });
});
