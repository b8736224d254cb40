// Compare-and-set phases under contention: 50 jobs each get PHASE=RUN and PHASE=ABORT at the same time
// (plus a second RUN); every job must end in one legal phase consistent with the answers the clients got.
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createJob, getJob, postForm } from './uws-helpers.js';

describe('UWS RUN/ABORT races', () => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('leaves each of 50 raced jobs in one legal phase', async () => {
    const jobs = `${app.url}/soda/async`;
    // Half the jobs finish instantly, so COMPLETED-before-ABORT is a possible outcome too.
    const urls = await Promise.all(Array.from({ length: 50 }, (_, i) => createJob(jobs, { DURATION: i % 2 ? '0' : '0.3' })));
    const answers = await Promise.all(
      urls.map(async (url, i) => {
        const order = i % 3;
        const run = () => postForm(`${url}/phase`, { PHASE: 'RUN' }).then((r) => r.status);
        const abort = () => postForm(`${url}/phase`, { PHASE: 'ABORT' }).then((r) => r.status);
        const [a, b, c] = await Promise.all(order === 0 ? [run(), abort(), run()] : order === 1 ? [abort(), run(), run()] : [run(), run(), abort()]);
        return order === 0 ? { runs: [a, c], abort: b } : order === 1 ? { runs: [b, c], abort: a } : { runs: [a, b], abort: c };
      }),
    );
    // Give any runner that (wrongly) survived an abort the time to move its job on.
    await new Promise((r) => setTimeout(r, 800));
    const outcomes: Record<string, number> = {};
    for (const [i, url] of urls.entries()) {
      const { job } = await getJob(url);
      const { runs, abort } = answers[i];
      const seen = { phase: job.phase, runs, abort, start: job.startTime };
      outcomes[job.phase] = (outcomes[job.phase] ?? 0) + 1;
      for (const s of runs) expect([303, 403]).toContain(s);
      expect([303, 403]).toContain(abort);
      expect(['ABORTED', 'COMPLETED']).toContain(job.phase);
      if (abort === 303) expect(seen).toMatchObject({ phase: 'ABORTED' });
      if (job.phase === 'COMPLETED') expect(seen).toMatchObject({ abort: 403 });
      // Both RUNs refused means the ABORT came first: the job never started executing.
      if (runs.every((s) => s === 403)) expect(seen).toMatchObject({ phase: 'ABORTED', start: { '@nil': 'true' } });
      expect(job.endTime).toMatch(/Z$/);
      expect(job.results.result ?? []).toHaveLength(job.phase === 'COMPLETED' ? 1 : 0);
    }
    expect(Object.values(outcomes).reduce((a, b) => a + b)).toBe(50);
    // The races really went both ways (else this test would prove little).
    expect(answers.some((a) => a.runs.every((s) => s === 403))).toBe(true);
    expect(answers.some((a) => a.runs.includes(303) && a.abort === 303)).toBe(true);
    // Nothing moves afterwards: the store is settled.
    const { rows } = await db.pool.query<{ n: number }>(`select count(*)::int as n from uws_job where phase not in ('ABORTED', 'COMPLETED')`);
    expect(rows[0].n).toBe(0);
  });
});
