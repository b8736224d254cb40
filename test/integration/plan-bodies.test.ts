// Shared plan bodies (plan_body, migrations 000015 and 000017): stored once however many jobs of a batch name
// them, kept while any job names them or while they are young, deleted by the reaper's pass once neither holds.
import { randomUUID } from 'node:crypto';
import type { Plan } from '../../src/domain/plan.js';
import { deleteJob, deleteUnusedPlanBodies, insertJobs, type NewJob } from '../../src/store/job-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('shared plan bodies', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  }, 60000);
  afterAll(async () => {
    await db?.drop();
  });

  // The store keeps a plan as opaque JSON: any object stands for one here.
  const plan = (name: string) => ({ formatVersion: 1, name, steps: [] }) as unknown as Plan;
  const job = (p: Plan): NewJob => ({
    id: randomUUID().replace(/-/g, '').slice(0, 16), kind: 'soda', ownerId: null, runId: null, phase: 'PENDING', quote: null,
    creationTime: new Date(), executionDuration: 600, destruction: null, parameters: [], jobInfo: null, plan: p,
  });
  const bodies = async () => (await db.pool.query<{ n: number }>('select count(*)::int as n from plan_body')).rows[0].n;
  const inAnHour = () => new Date(Date.now() + 3600_000);

  it('stores one body per distinct plan, keeps it while a job names it, and deletes it once none does and it is old enough', async () => {
    const shared = plan('shared');
    const [a, b, c, d] = await insertJobs(db.pool, [job(shared), job(shared), job(shared), job(plan('alone'))]);
    expect(await bodies()).toBe(2);
    // Named by jobs: kept however old.
    expect(await deleteUnusedPlanBodies(db.pool, inAnHour(), 100)).toBe(0);
    expect(await deleteJob(db.pool, d.id)).toBe(true);
    // Unnamed but stored after the cut-off: kept (a batch may have stored it and not yet named it).
    expect(await deleteUnusedPlanBodies(db.pool, new Date(Date.now() - 3600_000), 100)).toBe(0);
    expect(await deleteUnusedPlanBodies(db.pool, inAnHour(), 100)).toBe(1);
    expect(await bodies()).toBe(1);
    for (const j of [a, b]) await deleteJob(db.pool, j.id);
    expect(await deleteUnusedPlanBodies(db.pool, inAnHour(), 100)).toBe(0);
    await deleteJob(db.pool, c.id);
    expect(await deleteUnusedPlanBodies(db.pool, inAnHour(), 100)).toBe(1);
    expect(await bodies()).toBe(0);
    // The same plan object again (its digest remembered by the store): stored anew.
    const [again] = await insertJobs(db.pool, [job(shared)]);
    expect(await bodies()).toBe(1);
    const { rows } = await db.pool.query('select b.plan from job_plan p join plan_body b on b.digest = p.digest where p.job_id = $1', [again.id]);
    expect(rows[0].plan).toEqual({ formatVersion: 1, name: 'shared', steps: [] });
  });

  it('deletes at most the limit per pass', async () => {
    const jobs = await insertJobs(db.pool, ['p1', 'p2', 'p3'].map((n) => job(plan(n))));
    for (const j of jobs) await deleteJob(db.pool, j.id);
    const before = await bodies();
    expect(await deleteUnusedPlanBodies(db.pool, inAnHour(), 2)).toBe(2);
    expect(await bodies()).toBe(before - 2);
  });
});
