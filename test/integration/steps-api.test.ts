// GET /soda/async/{id}/steps and the step logs: the DAG of a job the real engine ran (fake aaorun, one step
// failing), owner checks as in UWS (another owner's job is a 404), and the front end's routes never
// shadowing an API route.
import { createToken } from '../../src/auth/tokens.js';
import { systemClock } from '../../src/clock.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fakeArchive, testEngine } from '../support/engine.js';
import { fakePlan, fakeStepId } from '../support/fake-plan.js';
import { ensureWebBuilt } from '../browser/support/web-build.js';

interface StepJson {
  id: string;
  position: number;
  label: string;
  state: string;
  attempts: number;
  durationMs: number | null;
  startedAt: string | null;
  dependsOn: string[];
  errorMessage: string | null;
  failureKind: string | null;
  log: string | null;
  products: Array<{ fileName: string; size: number; url: string; preview: string | null }>;
}

describe('the steps API and the web routes', () => {
  let db: TestDatabase;
  let app: TestApp;
  let engine: Engine;
  let alice: string;
  let bob: string;
  let jobId: string;
  const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
  const ids = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [n, fakeStepId(n, 'steps-api')]));

  beforeAll(async () => {
    ensureWebBuilt();
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { AUTH_MODE: 'token' } });
    alice = (await createToken(db.pool, systemClock, 'alice')).token;
    bob = (await createToken(db.pool, systemClock, 'bob')).token;
    const created = await fetch(`${app.url}/soda/async`, { method: 'POST', body: new URLSearchParams({ RUNID: 'dag' }), redirect: 'manual', ...as(alice) });
    jobId = created.headers.get('location')!.split('/').pop()!;
    engine = testEngine(db.pool, db.url, { archiveRoot: fakeArchive(['r/1.fits']), dataDir: app.config.dataDir, maxAttempts: 1 });
    await engine.start();
    // a -> b, a -> c (fails), b + c -> d (never runs)
    await engine.submit(jobId, 'alice', fakePlan([{ name: 'a', raw: ['r/1.fits'] }, { name: 'b', after: ['a'] }, { name: 'c', after: ['a'], fail: 'boom' }, { name: 'd', after: ['b', 'c'] }], 'steps-api'));
    for (let i = 0; i < 300; i++) {
      const doc = (await (await fetch(`${app.url}/soda/async/${jobId}/steps`, as(alice))).json()) as { counts: Record<string, number> };
      if (doc.counts.done === 2 && doc.counts.failed === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await engine.stop();
    await app.close();
    await db.drop();
  });

  it('lists every step in plan order with state, attempts, timings, dependencies, products and logs', async () => {
    const res = await fetch(`${app.url}/soda/async/${jobId}/steps`, as(alice));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const doc = (await res.json()) as { jobId: string; phase: string; counts: Record<string, number>; steps: StepJson[] };
    expect([doc.jobId, doc.phase, doc.counts]).toEqual([jobId, 'PENDING', { done: 2, failed: 1, waiting: 1 }]);
    expect(doc.steps.map((s) => [s.position, s.label, s.state, s.attempts])).toEqual([
      [0, 'fake a', 'done', 1], [1, 'fake b', 'done', 1], [2, 'fake c', 'failed', 1], [3, 'fake d', 'waiting', 0],
    ]);
    const [a, b, c, d] = doc.steps;
    expect(a.id).toBe(ids.a);
    expect(d.dependsOn).toEqual([ids.b, ids.c].sort());
    expect(b.dependsOn).toEqual([ids.a]);
    for (const s of [a, b, c]) {
      expect(s.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(s.startedAt!)).toBeGreaterThan(Date.now() - 120_000);
      expect(s.log).toBe(`${app.url}/soda/async/${jobId}/steps/${s.id}/log`);
    }
    expect([d.startedAt, d.durationMs, d.log, d.products]).toEqual([null, null, null, []]);
    expect([c.failureKind, c.errorMessage]).toEqual(['fatal', expect.stringContaining('boom')]);
    expect(c.products).toEqual([]);
    // Done steps list their products with the owner-only download URL (no preview: fake products are not FITS).
    expect(a.products).toEqual([{ fileName: 'a.fits', size: expect.any(Number), url: `${app.url}/files/products/${ids.a}/a.fits`, preview: null }]);
    const product = await fetch(a.products[0].url, as(alice));
    expect(product.status).toBe(200);
    expect(Number(product.headers.get('content-length'))).toBe(a.products[0].size);
  });

  it('serves a step log as text, the failed step with its error', async () => {
    const res = await fetch(`${app.url}/soda/async/${jobId}/steps/${ids.c}/log`, as(alice));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await res.text();
    expect(text).toContain(`# step ${ids.c} attempt 1: aaorun reduce_object`);
    expect(text).toContain('boom');
  });

  it('answers others, strangers and wrong ids as UWS does: 404, 401, 404, 405', async () => {
    const steps = `${app.url}/soda/async/${jobId}/steps`;
    const forBob = await fetch(steps, as(bob));
    expect([forBob.status, await forBob.text()]).toEqual([404, `NotFoundFault: no job ${jobId}`]);
    expect((await fetch(`${steps}/${ids.c}/log`, as(bob))).status).toBe(404);
    const anonymous = await fetch(steps);
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="drsoda"']);
    expect((await fetch(`${app.url}/soda/async/nosuchjob/steps`, as(alice))).status).toBe(404);
    // A step of another job, a step without a log yet, and a malformed id.
    expect((await fetch(`${steps}/${fakeStepId('a', 'other')}/log`, as(alice))).status).toBe(404);
    expect((await fetch(`${steps}/${ids.d}/log`, as(alice))).status).toBe(404);
    expect((await fetch(`${steps}/..%2F..%2Fetc/log`, as(alice))).status).toBe(404);
    const post = await fetch(steps, { method: 'POST', ...as(alice) });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('serves the front end on its own paths only, never in place of an API route or a missing file', async () => {
    for (const p of ['/', '/nights/2014-09-26', '/nights/2014-09-26/fields/F1_p0', '/jobs', `/jobs/${jobId}`, '/sign-in', '/api-reference']) {
      const res = await fetch(`${app.url}${p}`);
      expect([p, res.status, res.headers.get('content-type')]).toEqual([p, 200, 'text/html; charset=utf-8']);
      expect(await res.text()).toContain('<div id="app">');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    const html = await (await fetch(`${app.url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(`${app.url}${script}`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    // API routes and unknown paths keep their DALI answers.
    const list = await fetch(`${app.url}/soda/async`, as(alice));
    expect([list.status, list.headers.get('content-type')]).toEqual([200, 'text/xml; charset=utf-8']);
    for (const p of ['/soda/nope', '/api/nope', '/assets/nope.js', '/jobs/a/b', '/nights/x/y', '/index.html', '/favicon.ico']) {
      const res = await fetch(`${app.url}${p}`);
      expect([p, res.status, (await res.text()).split(':')[0]]).toEqual([p, 404, 'NotFoundFault']);
    }
    const post = await fetch(`${app.url}/jobs`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});
