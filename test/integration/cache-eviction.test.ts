import { existsSync } from 'node:fs';
import { createLogger } from '../../src/logger.js';
import { evictProducts } from '../../src/scheduler/cache-eviction.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { deleteJob } from '../../src/store/job-store.js';
import { stepsOfJob } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan } from '../support/fake-plan.js';

describe('product cache eviction', () => {
  let db: TestDatabase;
  let engine: Engine;
  beforeAll(async () => {
    db = await createTestDatabase();
    engine = testEngine(db.pool, db.url, { archiveRoot: fakeArchive([]) });
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop();
    await db.drop();
  });

  it('removes least-recently-used products of steps no job references, never those of existing jobs', async () => {
    const planA = fakePlan([{ name: 'a1' }, { name: 'a2', after: ['a1'] }], 'evict-a');
    const planB = fakePlan([{ name: 'b1' }], 'evict-b');
    const a = await queuedJob(db.pool);
    const b = await queuedJob(db.pool);
    await engine.submit(a, 'alice', planA);
    await engine.submit(b, 'bob', planB);
    expect((await settled(db.pool, a)).phase).toBe('COMPLETED');
    expect((await settled(db.pool, b)).phase).toBe('COMPLETED');
    const stepsA = planA.steps.map((s) => s.id);

    // While both jobs exist nothing may go, whatever the limit.
    expect((await evictProducts(db.pool, engine.products, 1, createLogger('silent'))).evicted).toBe(0);

    await deleteJob(db.pool, a);
    const report = await evictProducts(db.pool, engine.products, 1, createLogger('silent'));
    expect(report.evicted).toBe(2);
    for (const id of stepsA) expect(existsSync(engine.products.dir(id))).toBe(false);
    expect(existsSync(engine.products.dir(planB.steps[0].id))).toBe(true);
    expect((await stepsOfJob(db.pool, b)).map((s) => s.state)).toEqual(['done']);

    // Asking again re-runs what was evicted.
    const again = await queuedJob(db.pool);
    await engine.submit(again, 'alice', planA);
    expect((await settled(db.pool, again)).phase).toBe('COMPLETED');
    expect((await stepsOfJob(db.pool, again)).map((s) => s.attempts)).toEqual([1, 1]);
  });

  it('keeps everything under the limit', async () => {
    expect((await evictProducts(db.pool, engine.products, 10 * 2 ** 30, createLogger('silent'))).evicted).toBe(0);
  });
});
