// The per-process job cache behind the fast lane (src/uws/job-cache.ts, src/http/fast-lane.ts), with two app
// instances on one database (as API_PROCESSES or two hosts run them): a job changed through one is never read
// stale through the other, whether the change came over HTTP or straight from the database (a worker), and a
// change through an instance is seen by that instance's next request at once.
import { markExecuting, setProgress } from '../../src/store/job-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createJob, parseXml, postForm } from './uws-helpers.js';

describe('job cache across app instances', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestApp(db.pool);
    b = await startTestApp(db.pool);
    await Promise.all([a.factory.listener().ready(), b.factory.listener().ready()]);
  }, 60000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  const pathOf = (jobUrl: string) => new URL(jobUrl).pathname;
  const idOf = (jobUrl: string) => jobUrl.split('/').pop()!;
  const phaseAt = async (app: TestApp, jobUrl: string) => (await (await fetch(`${app.url}${pathOf(jobUrl)}/phase`)).text()).trim();
  const docAt = async (app: TestApp, jobUrl: string) => {
    const res = await fetch(`${app.url}${pathOf(jobUrl)}`);
    return { etag: res.headers.get('etag'), job: parseXml(await res.text()).job };
  };
  /** Polls until the instance's cache holds the job (its LISTEN connection is up, the GET filled it). */
  const cached = async (app: TestApp, jobUrl: string) => {
    const deadline = Date.now() + 10000;
    for (;;) {
      await docAt(app, jobUrl);
      if (app.factory.jobCache().get(idOf(jobUrl))?.document) return;
      if (Date.now() > deadline) throw new Error('the job never entered the cache');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('serves a job from the cache of the instance that read it, and forgets it when another instance changes it', async () => {
    const job = await createJob(`${a.url}/soda/async`, { DURATION: '30' });
    await cached(b, job);
    await cached(a, job);
    expect(await phaseAt(b, job)).toBe('PENDING');
    // Changed through A; read through B right after the 303, and through A itself.
    const run = await postForm(`${a.url}${pathOf(job)}/phase`, { PHASE: 'RUN' });
    expect(run.status).toBe(303);
    expect(['QUEUED', 'EXECUTING']).toContain(await phaseAt(b, job));
    expect(['QUEUED', 'EXECUTING']).toContain((await docAt(b, job)).job.phase);
    expect(['QUEUED', 'EXECUTING']).toContain(await phaseAt(a, job));
    const abort = await postForm(`${b.url}${pathOf(job)}/phase`, { PHASE: 'ABORT' });
    expect(abort.status).toBe(303);
    expect(await phaseAt(a, job)).toBe('ABORTED');
    expect((await docAt(a, job)).job.phase).toBe('ABORTED');
    expect(await phaseAt(b, job)).toBe('ABORTED');
  });

  it('shows a change written straight to the database (as a worker writes it) on the next read of each instance', async () => {
    const job = await createJob(`${a.url}/soda/async`, { DURATION: '30' });
    const id = idOf(job);
    await cached(a, job);
    await cached(b, job);
    const before = await docAt(b, job);
    expect(await markExecuting(db.pool, id, new Date(), ['PENDING'])).not.toBeNull();
    await setProgress(db.pool, id, 0.25, 'a quarter', new Date());
    for (const app of [a, b]) {
      const after = await docAt(app, job);
      expect(after.job.phase).toBe('EXECUTING');
      expect(after.etag).not.toBe(before.etag);
      expect(await phaseAt(app, job)).toBe('EXECUTING');
    }
  });

  it('forgets a deleted job at once: 404 through both instances', async () => {
    const job = await createJob(`${a.url}/soda/async`, { DURATION: '30' });
    await cached(a, job);
    await cached(b, job);
    const del = await fetch(`${b.url}${pathOf(job)}`, { method: 'DELETE', redirect: 'manual' });
    expect(del.status).toBe(303);
    expect((await fetch(`${a.url}${pathOf(job)}`)).status).toBe(404);
    expect((await fetch(`${b.url}${pathOf(job)}/phase`)).status).toBe(404);
  });
});
