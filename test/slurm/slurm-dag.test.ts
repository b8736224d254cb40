// SLURM_SUBMIT=dag on a real single-node cluster: a job's waiting steps handed to Slurm ahead with afterok
// dependencies give the same products as one submission per step; a failing middle step ends the job in ERROR and
// Slurm cancels its dependants; ABORT leaves no Slurm job or folder; a restarted worker attaches, never resubmits.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPipelinePresets } from '../../src/cli/plan.js';
import { createPlan } from '../../src/planner/plan.js';
import { makeWorkerId } from '../../src/scheduler/engine.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { ProductStore } from '../../src/scheduler/product-store.js';
import { listSlurmJobs } from '../../src/store/slurm-job-store.js';
import { stepOutputs, stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeAaorun, fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan, testPipeline, workerPipeline } from '../support/fake-plan.js';
import { ingestedNight, timeless } from '../support/night.js';
import { finished, projectRoot } from '../support/process.js';
import { startSlurmCluster, type SlurmCluster } from '../support/slurm.js';
import { eventually, nothingLeft as nothingLeftIn, slurmJobs, slurmWorkers, testSlurmRunner } from '../support/slurm-runner.js';

const RAW = '261126/ccd_1/26nov10001.fits';

describe('a job\'s DAG handed to Slurm at once (SLURM_SUBMIT=dag)', () => {
  let cluster: SlurmCluster;
  const dbs: TestDatabase[] = [];
  const engines: Engine[] = [];
  const temps: string[] = [];
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    cluster = await startSlurmCluster();
  }, 300000);
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop();
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await cluster?.stop();
    for (const d of dbs) await d.drop();
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });
  const temp = (prefix: string) => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    temps.push(d);
    return d;
  };
  const database = async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    return db;
  };

  /** An engine whose Slurm runner submits steps one by one (step) or hands the DAG over (dag). */
  async function engineWith(db: TestDatabase, o: { mode: 'step' | 'dag'; archiveRoot: string; aaorun: string[]; stepTimeoutS?: number; concurrency?: number }) {
    const dataDir = temp('drsoda-dag-data-');
    const jobRoot = temp('drsoda-dag-jobs-');
    const products = new ProductStore(path.join(dataDir, 'products'));
    const stepTimeoutS = o.stepTimeoutS ?? 300;
    const runner = testSlurmRunner(cluster, db.pool, {
      aaorun: o.aaorun, jobRoot,
      dag: o.mode === 'dag' ? { archiveRoot: o.archiveRoot, productFile: (id, f) => products.file(id, f), stepTimeoutS } : undefined,
    });
    const engine = testEngine(db.pool, db.url, {
      runner, products, dataDir, archiveRoot: o.archiveRoot, concurrency: o.concurrency ?? 4, stepTimeoutS, leaseS: 30,
      retryBaseS: 1, tickMs: 1000, maxAttempts: 1, workerId: makeWorkerId(),
    });
    engines.push(engine);
    await engine.start();
    return { engine, jobRoot };
  }

  const nothingLeft = (db: TestDatabase, jobRoot: string) => nothingLeftIn(cluster, db.pool, jobRoot, 30000);

  it('reduces a simulated night with products identical to one submission per step, each step one Slurm job', async () => {
    const setup = await database();
    const night = await ingestedNight(setup.pool);
    temps.push(night.root);
    const plan = createPlan({ frames: night.frames, request: { fields: [{ night: night.night, cfgFile: night.fields[0] }] }, presets: readPipelinePresets(), pipeline: testPipeline });
    const binDir = temp('drsoda-bin-');
    execFileSync('ln', ['-s', path.join(projectRoot, 'bin/aaorun.js'), path.join(binDir, 'aaorun')]);
    const path0 = process.env.PATH;
    process.env.PATH = `${binDir}:${path0}`; // the step job gets the submitter's PATH
    const reduce = async (mode: 'step' | 'dag') => {
      const db = await database();
      const { engine, jobRoot } = await engineWith(db, { mode, archiveRoot: night.root, aaorun: ['aaorun'] });
      const jobId = await queuedJob(db.pool);
      await engine.submit(jobId, 'alice', plan);
      const job = await settled(db.pool, jobId, 600000);
      expect(job.error?.message ?? job.phase).toBe('COMPLETED');
      const products = new Map<string, string>();
      const logs: string[] = [];
      for (const s of await stepsOfJob(db.pool, jobId)) {
        for (const o of await stepOutputs(db.pool, s.id)) products.set(`${s.id}/${o.fileName}`, timeless(engine.products.file(s.id, o.fileName)));
        logs.push(readFileSync(s.logPath!, 'utf8'));
      }
      await nothingLeft(db, jobRoot);
      return { products, logs };
    };
    try {
      const step = await reduce('step');
      const before = new Set((await slurmJobs(cluster)).map((j) => j.id));
      const dag = await reduce('dag');
      expect([...dag.products.keys()].sort()).toEqual([...step.products.keys()].sort());
      for (const [k, v] of step.products) expect(dag.products.get(k) === v ? k : `${k} differs`).toBe(k);
      // Steps with parents went to Slurm before they were ready, and ran there: one COMPLETED job per step.
      expect(step.logs.filter((l) => /handed over with the DAG/.test(l))).toEqual([]);
      expect(dag.logs.filter((l) => /# slurm job \d+ handed over with the DAG, attached/.test(l)).length).toBeGreaterThan(0);
      const dagJobs = (await slurmJobs(cluster)).filter((j) => !before.has(j.id));
      for (const s of plan.steps) expect(dagJobs.filter((j) => j.name === `drsoda-${s.id}`).map((j) => j.state)).toEqual(['COMPLETED']);
    } finally {
      process.env.PATH = path0;
    }
  }, 1500000);

  it('ends the job in ERROR at a failing middle step; Slurm cancels the steps handed over below it', async () => {
    const db = await database();
    const archive = fakeArchive([RAW]);
    temps.push(archive);
    const { engine, jobRoot } = await engineWith(db, { mode: 'dag', archiveRoot: archive, aaorun: ['sh', fakeAaorun], stepTimeoutS: 60 });
    const jobId = await queuedJob(db.pool);
    const plan = fakePlan([
      { name: 'first', raw: [RAW], sleepS: 2 },
      { name: 'bad', after: ['first'], fail: 'no arc lines found' },
      { name: 'below', after: ['bad'] },
      { name: 'last', after: ['below', 'first'] },
    ], `dag-fail-${jobId}`);
    await engine.submit(jobId, 'alice', plan);
    const [, bad, below, last] = plan.steps.map((s) => s.id);
    // While the first step runs, the rest wait in Slurm on their parents' jobs.
    await eventually('the steps below wait in Slurm', 60000, () => slurmJobs(cluster), (js) => [bad, below, last].every((id) => js.some((j) => j.name === `drsoda-${id}`)));
    const job = await settled(db.pool, jobId, 120000);
    expect(job.phase).toBe('ERROR');
    expect(job.error?.message).toMatch(/exited with status 1: .*no arc lines found/);
    const jobs = await nothingLeft(db, jobRoot);
    expect(jobs.find((j) => j.name === `drsoda-${bad}`)?.state).toBe('FAILED');
    for (const id of [below, last]) expect(jobs.filter((j) => j.name === `drsoda-${id}`).map((j) => j.state)).toEqual(['CANCELLED']);
    const states = Object.fromEntries((await stepsOfJob(db.pool, jobId)).map((s) => [s.label, s.state]));
    expect(states).toEqual({ 'fake first': 'done', 'fake bad': 'failed', 'fake below': 'cancelled', 'fake last': 'cancelled' });
  }, 300000);

  it('with a parent reused from the cache and a step shared with another job, each step runs once and the rest is handed over', async () => {
    const db = await database();
    const archive = fakeArchive([RAW]);
    temps.push(archive);
    const { engine, jobRoot } = await engineWith(db, { mode: 'dag', archiveRoot: archive, aaorun: ['sh', fakeAaorun], stepTimeoutS: 60 });
    const salt = `dag-cache-${Date.now()}`;
    const cached = await queuedJob(db.pool);
    await engine.submit(cached, 'alice', fakePlan([{ name: 'cal', raw: [RAW] }], salt));
    expect((await settled(db.pool, cached, 60000)).phase).toBe('COMPLETED');
    // Two jobs share a slow step; the second job's own steps below it are handed over once, waiting on it.
    const a = await queuedJob(db.pool);
    const b = await queuedJob(db.pool, 'bob');
    const shared = [{ name: 'cal', raw: [RAW] }, { name: 'slow', after: ['cal'], sleepS: 3 }];
    await engine.submit(a, 'alice', fakePlan(shared, salt));
    const planB = fakePlan([...shared, { name: 'obj', after: ['slow', 'cal'] }, { name: 'comb', after: ['obj'] }], salt);
    await engine.submit(b, 'bob', planB);
    for (const id of [a, b]) expect((await settled(db.pool, id, 120000)).error?.message ?? 'COMPLETED').toBe('COMPLETED');
    const [cal, slow, obj, comb] = planB.steps.map((s) => s.id);
    const jobs = await nothingLeft(db, jobRoot);
    for (const id of [cal, slow, obj, comb]) expect(jobs.filter((j) => j.name === `drsoda-${id}`).map((j) => j.state)).toEqual(['COMPLETED']);
    const steps = await stepsOfJob(db.pool, b);
    const log = (id: string) => readFileSync(steps.find((s) => s.id === id)!.logPath!, 'utf8');
    expect(log(comb)).toMatch(/# slurm job \d+ handed over with the DAG, attached/);
    expect(steps.find((s) => s.id === cal)?.attempts).toBe(1);
  }, 300000);

  it('ABORT cancels the running step and every step handed over below it: no Slurm job, record or folder is left', async () => {
    const db = await database();
    const archive = fakeArchive([RAW]);
    temps.push(archive);
    const { engine, jobRoot } = await engineWith(db, { mode: 'dag', archiveRoot: archive, aaorun: ['sh', fakeAaorun], stepTimeoutS: 300 });
    const jobId = await queuedJob(db.pool);
    const plan = fakePlan([{ name: 'long', raw: [RAW], sleepS: 120 }, { name: 'b', after: ['long'] }, { name: 'c', after: ['b'] }], `dag-abort-${jobId}`);
    await engine.submit(jobId, 'alice', plan);
    const names = plan.steps.map((s) => `drsoda-${s.id}`);
    await eventually('the first step runs, the others wait in Slurm', 60000, () => slurmJobs(cluster),
      (js) => js.some((j) => j.name === names[0] && j.state === 'RUNNING') && names.slice(1).every((n) => js.some((j) => j.name === n && j.state === 'PENDING')));
    expect((await listSlurmJobs(db.pool)).length).toBe(3);
    await engine.cancel(jobId);
    const jobs = await nothingLeft(db, jobRoot);
    for (const n of names) expect(jobs.filter((j) => j.name === n).map((j) => j.state)).toEqual(['CANCELLED']);
    expect((await stepsOfJob(db.pool, jobId)).map((s) => s.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  }, 300000);

  it('a worker killed mid-DAG: the next one attaches to the jobs already in Slurm, one submission per step', async () => {
    const db = await database();
    const archive = fakeArchive([RAW]);
    temps.push(archive);
    const dataDir = temp('drsoda-dag-restart-');
    const spawner = slurmWorkers(cluster, { databaseUrl: db.url, dataDir, archiveRoot: archive }, { SLURM_SUBMIT: 'dag', WORKER_CONCURRENCY: '2' });
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
      { name: 'side', after: ['first'] },
      { name: 'last', after: ['long', 'side'] },
    ], `dag-restart-${jobId}`, workerPipeline);
    await submitter.submit(jobId, 'alice', plan);
    const [, long, , last] = plan.steps.map((s) => s.id);
    await eventually('the long step runs in Slurm and the last waits there', 60000, () => slurmJobs(cluster),
      (js) => js.some((j) => j.name === `drsoda-${long}` && j.state === 'RUNNING') && js.some((j) => j.name === `drsoda-${last}` && j.state === 'PENDING'));
    // Killed once the first step is recorded done: a kill between collecting a step and recording it is another
    // matter (the step runs again, in either mode; see docs/slurm.md).
    await eventually('the first step is done and the long one runs in drsoda', 30000, () => stepsOfJob(db.pool, jobId),
      (ss) => ss[0].state === 'done' && ss.find((s) => s.id === long)?.state === 'running');
    expect((await slurmJobs(cluster)).find((j) => j.name === `drsoda-${long}`)?.state).toBe('RUNNING');
    const exit = finished(first);
    first.kill('SIGKILL');
    await exit;
    await start();
    const job = await settled(db.pool, jobId, 120000);
    expect(job.error?.message ?? job.phase).toBe('COMPLETED');
    const jobs = await slurmJobs(cluster);
    const steps = await stepsOfJob(db.pool, jobId);
    for (const s of steps) {
      expect({ step: s.label, slurm: jobs.filter((j) => j.name === `drsoda-${s.id}`).map((j) => j.state), log: readFileSync(s.logPath!, 'utf8').split('\n').filter((l) => l.startsWith('# slurm')) })
        .toEqual({ step: s.label, slurm: ['COMPLETED'], log: expect.anything() });
    }
    // Nothing finished ran again; the killed worker's step ran on in Slurm and the next worker collected it.
    expect(steps.find((s) => s.id === plan.steps[0].id)?.attempts).toBe(1);
    expect(readFileSync(steps.find((s) => s.id === long)!.logPath!, 'utf8')).toMatch(/# slurm job \d+ (re-attached|handed over with the DAG, attached)/);
    await eventually('no Slurm job recorded', 30000, () => listSlurmJobs(db.pool), (rs) => rs.length === 0);
    await submitter.stop();
  }, 300000);
});
