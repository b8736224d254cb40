// Provenance in GET /soda/async/{id}/steps: a step another job's run made says so (madeBy reused, with that job
// while it exists and has the same owner), so the job page can mark it "reused" rather than show another run's
// times as this job's. Real engine (fake aaorun), real PostgreSQL, HTTP on loopback.
import { createToken } from '../../src/auth/tokens.js';
import { systemClock } from '../../src/clock.js';
import type { StepsJson } from '../../src/domain/api-types.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeArchive, testEngine } from '../support/engine.js';
import { fakePlan, fakeStepId } from '../support/fake-plan.js';

describe('which job made a step', () => {
  let db: TestDatabase;
  let app: TestApp;
  let engine: Engine;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ headers: { authorization: `Bearer ${tokens[who]}` } });
  const ids = Object.fromEntries(['a', 'b', 'e'].map((n) => [n, fakeStepId(n, 'provenance')]));
  const first = fakePlan([{ name: 'a', raw: ['r/1.fits'] }, { name: 'b', after: ['a'] }], 'provenance');
  const second = fakePlan([{ name: 'a', raw: ['r/1.fits'] }, { name: 'b', after: ['a'] }, { name: 'e', after: ['b'] }], 'provenance');

  const newJob = async (who: string): Promise<string> => {
    const res = await fetch(`${app.url}/soda/async`, { method: 'POST', body: new URLSearchParams({ RUNID: who }), redirect: 'manual', ...as(who) });
    return res.headers.get('location')!.split('/').pop()!;
  };
  const stepsOf = async (who: string, job: string): Promise<StepsJson> => (await fetch(`${app.url}/soda/async/${job}/steps`, as(who))).json() as Promise<StepsJson>;
  const allDone = async (who: string, job: string, n: number): Promise<StepsJson> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const doc = await stepsOf(who, job);
      if (doc.counts.done === n) return doc;
      if (Date.now() > deadline) throw new Error(`job ${job} steps: ${JSON.stringify(doc.counts)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { AUTH_MODE: 'token' } });
    for (const who of ['alice', 'bob']) tokens[who] = (await createToken(db.pool, systemClock, who)).token;
    engine = testEngine(db.pool, db.url, { archiveRoot: fakeArchive(['r/1.fits']), dataDir: app.config.dataDir, maxAttempts: 1 });
    await engine.start();
  }, 120_000);
  afterAll(async () => {
    await engine.stop();
    await app.close();
    await db.drop();
  });

  it('marks steps done for an earlier job as reused from it, with that run\'s times; new steps ran for this job', async () => {
    const job1 = await newJob('alice');
    await engine.submit(job1, 'alice', first);
    const one = await allDone('alice', job1, 2);
    expect(one.steps.map((s) => s.madeBy)).toEqual([null, null]);

    const job2 = await newJob('alice');
    await engine.submit(job2, 'alice', second);
    const two = await allDone('alice', job2, 3);
    expect(two.steps.map((s) => [s.id, s.madeBy])).toEqual([
      [ids.a, { kind: 'reused', jobId: job1 }],
      [ids.b, { kind: 'reused', jobId: job1 }],
      [ids.e, null],
    ]);
    // The reused steps' times are job 1's run, before job 2 existed.
    expect(two.steps[0].startedAt).toBe(one.steps[0].startedAt);
    expect(two.steps[1].endedAt).toBe(one.steps[1].endedAt);

    // Another owner's job is not named; a deleted job is not named either.
    const job3 = await newJob('bob');
    await engine.submit(job3, 'bob', second);
    const three = await allDone('bob', job3, 3);
    expect(three.steps.map((s) => s.madeBy)).toEqual([
      { kind: 'reused', jobId: null },
      { kind: 'reused', jobId: null },
      { kind: 'reused', jobId: null },
    ]);
    expect((await fetch(`${app.url}/soda/async/${job1}`, { method: 'DELETE', ...as('alice') })).status).toBeLessThan(400);
    const again = await stepsOf('alice', job2);
    expect(again.steps.map((s) => s.madeBy)).toEqual([{ kind: 'reused', jobId: null }, { kind: 'reused', jobId: null }, null]);
  }, 240_000);
});
