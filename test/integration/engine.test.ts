import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../../src/scheduler/engine.js';
import { getJob, markAborted } from '../../src/store/job-store.js';
import { stepsOfJob } from '../../src/store/step-store.js';
import { jobDir } from '../../src/uws/job-files.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan } from '../support/fake-plan.js';

describe('execution engine (PostgreSQL + local runner)', () => {
  let db: TestDatabase;
  let engine: Engine;
  let dataDir: string;
  const archive = fakeArchive(['261126/ccd_1/26nov10001.fits', '261126/ccd_1/26nov10002.fits']);

  beforeAll(async () => {
    db = await createTestDatabase();
    engine = testEngine(db.pool, db.url, { archiveRoot: archive, stepTimeoutS: 2 });
    dataDir = path.dirname(engine.products.root);
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop();
    await db.drop();
  });

  const chain = (salt: string) =>
    fakePlan(
      [
        { name: 'bias', raw: ['261126/ccd_1/26nov10001.fits'] },
        { name: 'tlm', raw: ['261126/ccd_1/26nov10002.fits'], after: ['bias'] },
        { name: 'arc', after: ['tlm'] },
        { name: 'obj', after: ['bias', 'tlm', 'arc'] },
      ],
      salt,
    );

  it('runs a DAG in dependency order and completes the job with its products as results', async () => {
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', chain('dag'));
    const job = await settled(db.pool, jobId);
    expect(job.phase).toBe('COMPLETED');
    expect(job.results.map((r) => r.id)).toEqual(['obj']);
    const steps = await stepsOfJob(db.pool, jobId);
    expect(steps.map((s) => [s.label, s.state, s.attempts])).toEqual([
      ['fake bias', 'done', 1], ['fake tlm', 'done', 1], ['fake arc', 'done', 1], ['fake obj', 'done', 1],
    ]);
    const byLabel = Object.fromEntries(steps.map((s) => [s.label, s]));
    expect(byLabel['fake obj'].startedAt!.getTime()).toBeGreaterThanOrEqual(byLabel['fake arc'].endedAt!.getTime());
    const result = readFileSync(path.join(jobDir(dataDir, jobId), job.results[0].path!), 'utf8');
    expect(result.split('\n')[0]).toBe('reduce_object');
    expect(result).toContain('raw 261126/ccd_1/26nov10001.fits');
    expect(job.results[0].size).toBe(Buffer.byteLength(result));
  });

  it('completes an identical second job from the cache with zero steps executed', async () => {
    const first = await queuedJob(db.pool);
    await engine.submit(first, 'alice', chain('cache'));
    await settled(db.pool, first);
    const before = (await stepsOfJob(db.pool, first)).map((s) => s.attempts);
    const second = await queuedJob(db.pool, 'bob');
    await engine.submit(second, 'bob', chain('cache'));
    const job = await getJob(db.pool, second);
    expect(job!.phase).toBe('COMPLETED');
    expect((await stepsOfJob(db.pool, second)).map((s) => s.attempts)).toEqual(before);
  });

  it('runs a step two jobs need once, and both jobs complete', async () => {
    const plan = fakePlan([{ name: 'slow', sleepS: 0.5 }], 'shared');
    const [a, b] = [await queuedJob(db.pool), await queuedJob(db.pool, 'bob')];
    await Promise.all([engine.submit(a, 'alice', plan), engine.submit(b, 'bob', plan)]);
    expect((await settled(db.pool, a)).phase).toBe('COMPLETED');
    expect((await settled(db.pool, b)).phase).toBe('COMPLETED');
    expect((await stepsOfJob(db.pool, a))[0].attempts).toBe(1);
  });

  it('readies a step whose two parents finish at the same moment (20 jobs, no safety-net tick)', async () => {
    // A slow tick: only the completing transactions themselves can ready the child in time.
    const forks = testEngine(db.pool, db.url, { archiveRoot: archive, tickMs: 600000 });
    await engine.stop();
    await forks.start();
    try {
      const jobs: string[] = [];
      for (let i = 0; i < 20; i++) {
        const jobId = await queuedJob(db.pool);
        jobs.push(jobId);
        await forks.submit(jobId, 'alice', fakePlan([{ name: 'left' }, { name: 'right' }, { name: 'child', after: ['left', 'right'] }], `fork-${i}`));
      }
      for (const j of jobs) expect((await settled(db.pool, j, 15000)).phase).toBe('COMPLETED');
    } finally {
      await forks.stop();
      engine = testEngine(db.pool, db.url, { archiveRoot: archive, stepTimeoutS: 2 });
      dataDir = path.dirname(engine.products.root);
      await engine.start();
    }
  });

  it('ends the job in ERROR naming the failed step, and cancels what depended on it', async () => {
    const plan = fakePlan([{ name: 'ok' }, { name: 'bad', after: ['ok'], fail: 'no arc lines found' }, { name: 'after', after: ['bad'] }], 'fail');
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', plan);
    const job = await settled(db.pool, jobId);
    expect(job.phase).toBe('ERROR');
    expect(job.error?.type).toBe('fatal');
    expect(job.error?.message).toMatch(/fake bad failed after 1 attempt\(s\): .*exited with status 1: ERROR: no arc lines found/);
    const states = Object.fromEntries((await stepsOfJob(db.pool, jobId)).map((s) => [s.label, s.state]));
    expect(states).toEqual({ 'fake ok': 'done', 'fake bad': 'failed', 'fake after': 'cancelled' });
  });

  it('kills a step that exceeds its timeout and says so', async () => {
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', fakePlan([{ name: 'hang', sleepS: 20 }], 'timeout'));
    const job = await settled(db.pool, jobId);
    expect(job.phase).toBe('ERROR');
    expect(job.error?.message).toMatch(/exceeded its timeout of 2 s/);
  });

  it('ABORT cancels the job’s steps and kills the running one', async () => {
    const jobId = await queuedJob(db.pool);
    await engine.submit(jobId, 'alice', fakePlan([{ name: 'long', sleepS: 20 }, { name: 'next', after: ['long'] }], 'abort'));
    for (let i = 0; i < 100 && !engine.worker!.running().length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(engine.worker!.running()).toHaveLength(1);
    await markAborted(db.pool, jobId, new Date(), ['QUEUED', 'EXECUTING']);
    expect(await engine.cancel(jobId)).toBe(1);
    for (let i = 0; i < 100 && engine.worker!.running().length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(engine.worker!.running()).toEqual([]);
    const states = (await stepsOfJob(db.pool, jobId)).map((s) => s.state);
    expect(states).toEqual(['cancelled', 'cancelled']);
    expect((await getJob(db.pool, jobId))!.phase).toBe('ABORTED');
  });
});
