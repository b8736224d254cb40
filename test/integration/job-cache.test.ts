// The per-process job cache behind the fast lane (src/uws/job-cache.ts, src/http/fast-lane.ts), with two app
// instances on one database (as API_PROCESSES or two hosts run them): a change through an instance is seen by that
// instance's next request at once; a change through the other instance or straight in the database (a worker) is
// seen at once by a request that asks for a validated answer (Cache-Control: no-cache), and by every request as
// soon as its notification arrives (well within the heartbeat bound).
import { markError, markExecuting, setProgress } from '../../src/store/job-store.js';
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
  const validated = { 'Cache-Control': 'no-cache' };
  const phaseAt = async (app: TestApp, jobUrl: string, headers: Record<string, string> = {}) =>
    (await (await fetch(`${app.url}${pathOf(jobUrl)}/phase`, { headers })).text()).trim();
  const docAt = async (app: TestApp, jobUrl: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}${pathOf(jobUrl)}`, { headers });
    return { etag: res.headers.get('etag'), job: parseXml(await res.text()).job };
  };
  /** Milliseconds until the instance's plain (unvalidated) phase answer is `want`; fails after the heartbeat bound. */
  const seenWithin = async (app: TestApp, jobUrl: string, want: string) => {
    const t0 = performance.now();
    while ((await phaseAt(app, jobUrl)) !== want) {
      if (performance.now() - t0 > 1000) throw new Error(`phase ${want} not seen within 1 s`);
      await new Promise((r) => setTimeout(r, 1));
    }
    return performance.now() - t0;
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
    // Changed through A; read through A itself right after the 303, and through B validated.
    const run = await postForm(`${a.url}${pathOf(job)}/phase`, { PHASE: 'RUN' });
    expect(run.status).toBe(303);
    expect(['QUEUED', 'EXECUTING']).toContain(await phaseAt(a, job));
    expect(['QUEUED', 'EXECUTING']).toContain(await phaseAt(b, job, validated));
    expect(['QUEUED', 'EXECUTING']).toContain((await docAt(b, job, { Pragma: 'no-cache' })).job.phase);
    const abort = await postForm(`${b.url}${pathOf(job)}/phase`, { PHASE: 'ABORT' });
    expect(abort.status).toBe(303);
    expect(await phaseAt(b, job)).toBe('ABORTED');
    expect(await phaseAt(a, job, { 'Cache-Control': 'max-age=0' })).toBe('ABORTED');
    expect((await docAt(a, job, validated)).job.phase).toBe('ABORTED');
  });

  it('shows another instance\'s change to a plain request once its notification arrives', async () => {
    for (let i = 0; i < 5; i++) {
      const job = await createJob(`${a.url}/soda/async`, { DURATION: '30' });
      await cached(b, job);
      expect(await phaseAt(b, job)).toBe('PENDING');
      expect((await postForm(`${a.url}${pathOf(job)}/phase`, { PHASE: 'ABORT' })).status).toBe(303);
      await seenWithin(b, job, 'ABORTED');
      expect((await docAt(b, job)).job.phase).toBe('ABORTED');
    }
  });

  it('keeps the cache proven current by its heartbeat while it holds jobs', async () => {
    const job = await createJob(`${a.url}/soda/async`, { DURATION: '30' });
    await cached(a, job);
    const cache = a.factory.jobCache();
    await new Promise((r) => setTimeout(r, 300));
    expect(cache.fresh()).toBe(true);
    expect(a.factory.listener().lagMs()).toBeLessThan(500);
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
      const after = await docAt(app, job, validated);
      expect(after.job.phase).toBe('EXECUTING');
      expect(after.etag).not.toBe(before.etag);
      expect(await phaseAt(app, job, validated)).toBe('EXECUTING');
    }
    await markError(db.pool, id, new Date(), { type: 'fatal', message: 'Error: disk full' }, ['EXECUTING']);
    for (const app of [a, b]) await seenWithin(app, job, 'ERROR');
  });

  it('forgets a deleted job at once: 404 through both instances', async () => {
    const job = await createJob(`${a.url}/soda/async`, { DURATION: '30' });
    await cached(a, job);
    await cached(b, job);
    const del = await fetch(`${b.url}${pathOf(job)}`, { method: 'DELETE', redirect: 'manual' });
    expect(del.status).toBe(303);
    expect((await fetch(`${b.url}${pathOf(job)}/phase`)).status).toBe(404);
    expect((await fetch(`${a.url}${pathOf(job)}`, { headers: validated })).status).toBe(404);
  });
});
