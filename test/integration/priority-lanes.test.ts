// Priority lanes in the scheduler (real PostgreSQL, local runner with the fake aaorun): with a queue already full of
// normal jobs, a priority job's steps are claimed as soon as a worker slot frees, before any normal step that was
// waiting or became ready after them; the normal step running meanwhile is not killed; and aging still lets a
// normal step that waited long enough go before a fresh priority step (no starvation).
import type { Engine } from '../../src/scheduler/engine.js';
import { claimStep } from '../../src/store/step-claim-store.js';
import { withTransaction } from '../../src/store/db.js';
import { attachPlanSteps, promoteReadySteps } from '../../src/store/step-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeArchive, queuedJob, settled, testEngine } from '../support/engine.js';
import { fakePlan } from '../support/fake-plan.js';

interface StepTimes {
  id: string;
  label: string;
  priority: number;
  state: string;
  attempts: number;
  ready_at: Date;
  started_at: Date;
  ended_at: Date;
}

describe('priority lanes', () => {
  let db: TestDatabase;
  let engine: Engine;
  const archive = fakeArchive([]);

  beforeAll(async () => {
    db = await createTestDatabase();
    // One slot: the order of claims is the order of starts.
    engine = testEngine(db.pool, db.url, { archiveRoot: archive, concurrency: 1 });
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop();
    await db.drop();
  });

  const stepsOf = async (jobIds: string[]): Promise<Array<StepTimes & { job_id: string }>> =>
    (await db.pool.query(
      `select js.job_id, s.id, s.label, s.priority, s.state, s.attempts, s.ready_at, s.started_at, s.ended_at
         from job_step js join step s on s.id = js.step_id where js.job_id = any($1) order by s.started_at`,
      [jobIds],
    )).rows;

  it('starts a priority job\'s steps before the normal steps queued before or after them, killing nothing', async () => {
    const owners = ['alice', 'bob', 'carol', 'dave'];
    const normal: string[] = [];
    for (const [i, owner] of owners.entries()) {
      const id = await queuedJob(db.pool, owner);
      normal.push(id);
      await engine.submit(id, owner, fakePlan([{ name: 'a', sleepS: 0.4 }, { name: 'b', after: ['a'], sleepS: 0.4 }], `normal-${i}`));
    }
    for (let i = 0; i < 200 && !engine.worker!.running().length; i++) await new Promise((r) => setTimeout(r, 25));
    expect(engine.worker!.running()).toHaveLength(1);
    const urgent = await queuedJob(db.pool, 'too-team');
    await engine.submit(urgent, 'too-team', fakePlan([{ name: 'p1', sleepS: 0.2 }, { name: 'p2', after: ['p1'], sleepS: 0.2 }], 'urgent'), 5);
    for (const id of [urgent, ...normal]) expect((await settled(db.pool, id)).phase).toBe('COMPLETED');

    const steps = await stepsOf([urgent, ...normal]);
    const [p1, p2] = ['fake p1', 'fake p2'].map((l) => steps.find((s) => s.label === l)!);
    const others = steps.filter((s) => s.job_id !== urgent);
    expect([p1.priority, p2.priority, ...new Set(others.map((s) => s.priority))]).toEqual([5, 5, 0]);
    // The normal step running when the priority job arrived ran to its end, once.
    const running = others.filter((s) => s.started_at < p1.ready_at);
    expect(running.length).toBeGreaterThanOrEqual(1);
    for (const s of running) expect([s.state, s.attempts, s.ended_at <= p1.started_at]).toEqual(['done', 1, true]);
    // No normal step was claimed while p1 (then p2) was ready: whether it was queued before or became ready after.
    for (const p of [p1, p2]) {
      const claimedMeanwhile = others.filter((s) => s.started_at > p.ready_at && s.started_at < p.started_at);
      expect(claimedMeanwhile.map((s) => s.label)).toEqual([]);
    }
    expect(others.filter((s) => s.ready_at > p1.ready_at).every((s) => s.started_at > p1.started_at)).toBe(true);
    // So the whole priority job finished before every normal step still waiting when it was submitted started.
    const waiting = others.filter((s) => s.started_at >= p1.ready_at);
    expect(waiting.length).toBeGreaterThanOrEqual(5);
    for (const s of waiting) expect(s.started_at >= p2.ended_at).toBe(true);
  }, 60000);
});

describe('priority aging', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('lets a normal step that waited longer than priority x aging go first (no starvation)', async () => {
    const add = async (name: string, priority: number, waitedS: number) => {
      const jobId = await queuedJob(db.pool, `owner-${name}`);
      const plan = fakePlan([{ name }], `aging-${name}`);
      await withTransaction(db.pool, (c) => attachPlanSteps(c, jobId, `owner-${name}`, priority, plan.steps, 3, plan.pipeline));
      await promoteReadySteps(db.pool, [plan.steps[0].id]);
      await db.pool.query(`update step set ready_at = now() - make_interval(secs => $2) where id = $1`, [plan.steps[0].id, waitedS]);
      return plan.steps[0].id;
    };
    // Claimed directly, with no worker on this database: agingS 60 = one priority level a minute.
    const old = await add('old-normal', 0, 10 * 60);
    const urgent = await add('urgent', 5, 0);
    const recent = await add('recent-normal', 0, 2 * 60);
    const order: string[] = [];
    for (let i = 0; i < 3; i++) order.push((await claimStep(db.pool, { workerId: 'test', leaseS: 30, agingS: 60 }))!.id);
    // 10 minutes of waiting (10 levels) beats priority 5; priority 5 beats 2 minutes (2 levels).
    expect(order).toEqual([old, urgent, recent]);
  });
});
