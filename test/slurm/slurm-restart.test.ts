// drsoda killed (SIGKILL), or stopped (SIGTERM), while its step runs in Slurm: the next worker re-attaches to the recorded Slurm job
// instead of submitting the step again, and no finished step runs twice.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listSlurmJobs } from '../../src/store/slurm-job-store.js';
import { stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan, workerPipeline } from '../support/fake-plan.js';
import { finished } from '../support/process.js';
import { startSlurmCluster, type SlurmCluster } from '../support/slurm.js';
import { eventually, slurmJobs, slurmWorkers, stepRunsInSlurm } from '../support/slurm-runner.js';

const RAW = '261126/ccd_1/26nov10001.fits';

describe('a drsoda worker killed while its steps run in Slurm', () => {
  let cluster: SlurmCluster;
  let db: TestDatabase;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    cluster = await startSlurmCluster();
    db = await createTestDatabase();
  }, 300000);
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await cluster?.stop();
    await db?.drop();
  });

  it('re-attaches to the running Slurm job after a restart: one submission per step, nothing finished re-run', async () => {
    const archive = fakeArchive([RAW]);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-slurm-restart-'));
    const spawner = slurmWorkers(cluster, { databaseUrl: db.url, dataDir, archiveRoot: archive }, { SLURM_SUBMIT: 'step' });
    const start = async () => {
      const w = await spawner.start();
      workers.push(w);
      return w;
    };
    const first = await start();
    const submitter = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir, work: false });
    const jobId = await queuedJob(db.pool);
    const plan = fakePlan([
      { name: 'first', raw: [RAW] },
      { name: 'long', after: ['first'], sleepS: 6 },
      { name: 'long2', after: ['long'], sleepS: 6 },
      { name: 'last', after: ['long2'] },
    ], `restart-${jobId}`, workerPipeline);
    await submitter.submit(jobId, 'alice', plan);
    const long = plan.steps[1].id;

    // The long step runs in Slurm and its job id is recorded; then the worker dies without a word.
    await stepRunsInSlurm(cluster, db.pool, long);
    const exit = finished(first);
    first.kill('SIGKILL');
    await exit;
    const second = await start();

    // The next worker stops cleanly (SIGTERM) while the second long step runs: it leaves the Slurm job running.
    const long2 = plan.steps[2].id;
    await eventually('the second long step runs in Slurm', 60000, () => slurmJobs(cluster), (js) => js.some((j) => j.name === `drsoda-${long2}` && j.state === 'RUNNING'));
    const exit2 = finished(second);
    second.kill('SIGTERM');
    expect((await exit2).code).toBe(0);
    // Not cancelled: still running, or (on a slow machine) already finished on its own.
    expect(['RUNNING', 'COMPLETING', 'COMPLETED']).toContain((await slurmJobs(cluster)).find((j) => j.name === `drsoda-${long2}`)?.state);
    await start();

    const job = await settled(db.pool, jobId, 90000);
    expect(job.error?.message ?? job.phase).toBe('COMPLETED');
    const jobs = await slurmJobs(cluster);
    for (const s of plan.steps) expect(jobs.filter((j) => j.name === `drsoda-${s.id}`).map((j) => j.state)).toEqual(['COMPLETED']);
    const steps = await stepsOfJob(db.pool, jobId);
    const attempts = Object.fromEntries(steps.map((s) => [s.label, s.attempts]));
    expect(attempts).toEqual({ 'fake first': 1, 'fake long': 2, 'fake long2': 2, 'fake last': 1 });
    for (const id of [long, long2]) expect(readFileSync(steps.find((s) => s.id === id)!.logPath!, 'utf8')).toMatch(/# slurm job \d+ re-attached/);
    // A collected job's record stays until its step is recorded done, then the runner's sweep forgets it.
    await eventually('no Slurm job recorded', 30000, () => listSlurmJobs(db.pool), (rs) => rs.length === 0);
    await submitter.stop();
    for (const d of [archive, dataDir]) rmSync(d, { recursive: true, force: true });
  }, 180000);
});
