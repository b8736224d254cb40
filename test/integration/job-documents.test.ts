// Job documents a polling client can afford, through real HTTP on a simulated night: a PENDING one-frame SODA job
// document stays under 4 KB with a plan summary in jobInfo that links the full plan ({job}/plan, XML and JSON, the
// same plan); ETags change with every kind of change of a job (and of a job list page), If-None-Match answers 304.
import { XMLParser } from 'fast-xml-parser';
import type { Plan } from '../../src/domain/plan.js';
import { planToJson } from '../../src/planner/render-json.js';
import { markCompleted, markError, markExecuting, markQueued, setProgress } from '../../src/store/job-store.js';
import { loadJobPlan } from '../../src/store/step-store.js';
import { planXml } from '../../src/vo/plan-xml.js';
import { createJob, postForm } from './uws-helpers.js';
import { expectValid } from '../support/xsd.js';
import { simulatedArchive, startSodaApp, type SimulatedArchive, type SodaTestApp } from '../support/soda-app.js';
import { objectFrame } from './soda-fixture.js';

describe('job documents', () => {
  let archive: SimulatedArchive;
  let s: SodaTestApp;
  let jobs: string;
  let objectId: string;

  beforeAll(async () => {
    archive = await simulatedArchive();
    // No worker: jobs stay where the test puts them.
    s = await startSodaApp(archive, { work: false, config: { AUTH_MODE: 'header' } });
    jobs = `${s.url}/soda/async`;
    objectId = objectFrame(s.frames, 1).id;
  }, 120000);
  afterAll(async () => {
    await s?.close();
  });

  const anon = { 'X-Remote-User': 'carol' };
  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers: { ...anon, ...headers } });
  const idOf = (jobUrl: string) => jobUrl.split('/').pop()!;

  it('keeps a PENDING one-frame SODA job document under 4 KB, with a summary that links the full plan', async () => {
    const jobUrl = await createJob(jobs, [['ID', objectId]], anon);
    const res = await get(jobUrl);
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(xml)).toBeLessThanOrEqual(4096);
    await expectValid(xml, 'uws');
    expect(xml).not.toContain('<plan:plan');
    expect(xml).not.toContain('<plan:step');

    const plan = (await loadJobPlan(s.db.pool, idOf(jobUrl)))!;
    const summary = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'plan:product' || n === 'plan:warning' }).parse(xml)['uws:job']['uws:jobInfo']['plan:summary'];
    expect(summary['xlink:href']).toBe(`${jobUrl}/plan`);
    expect(summary['plan:estimate']).toEqual({ steps: String(plan.steps.length), totalCostS: String(plan.estimate.totalCostS), criticalPathS: String(plan.estimate.criticalPathS) });
    const products = plan.targets.flatMap((t) => t.products.map((p) => ({ request: t.request, step: p.stepId, file: p.fileName, arm: p.arm, kind: p.kind })));
    expect(products.map((p) => p.kind)).toEqual(['reduced', 'reduced', 'spliced']);
    expect(summary['plan:product']).toEqual(products);
    expect(summary['plan:warnings'].count).toBe(String(plan.warnings.length));

    // The full plan: XML by default, JSON by format= or Accept; both the stored plan.
    const asXml = await get(summary['xlink:href']);
    expect([asXml.status, asXml.headers.get('content-type')]).toEqual([200, 'text/xml; charset=utf-8']);
    expect(await asXml.text()).toBe(planXml(plan));
    for (const [url, headers] of [[`${jobUrl}/plan?format=json`, {}], [`${jobUrl}/plan`, { Accept: 'application/json' }]] as const) {
      const r = await get(url, headers);
      expect([r.status, r.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
      expect(await r.text()).toBe(planToJson(plan));
    }
    const etag = asXml.headers.get('etag')!;
    expect((await get(`${jobUrl}/plan`, { 'If-None-Match': etag })).status).toBe(304);
    expect(await (await get(`${jobUrl}/plan?format=yaml`)).text()).toMatch(/^UsageError: format must be xml or json/);
    // Another caller's job's plan is as absent as the job.
    expect((await get(`${jobs}/nosuchjob/plan`)).status).toBe(404);
  });

  it('follows the parameters: a new plan and summary when they change while PENDING', async () => {
    const jobUrl = await createJob(jobs, [['ID', objectId]], anon);
    const before = (await (await get(`${jobUrl}/plan?format=json`)).json()) as Plan;
    expect((await postForm(`${jobUrl}/parameters`, { ARMS: 'blue' }, anon)).status).toBe(303);
    const after = (await (await get(`${jobUrl}/plan?format=json`)).json()) as Plan;
    expect(before.options.arms).toBe('both');
    expect(after.options.arms).toBe('blue');
    expect(await (await get(jobUrl)).text()).toContain(`<plan:estimate steps="${after.steps.length}"`);
  });

  it('changes the ETag of the job document, phase, results and parameters with every kind of change, and answers 304 while it holds', async () => {
    const jobUrl = await createJob(jobs, [['ID', objectId]], anon);
    const id = idOf(jobUrl);
    const pool = s.db.pool;
    const resources = [jobUrl, `${jobUrl}/phase`, `${jobUrl}/results`, `${jobUrl}/parameters`];
    let last = new Map<string, { etag: string; body: string }>();
    const snapshot = async () => {
      const now = new Map<string, { etag: string; body: string }>();
      for (const url of resources) {
        const r = await get(url);
        expect(r.status).toBe(200);
        expect(r.headers.get('cache-control')).toBe('private, no-cache');
        const etag = r.headers.get('etag')!;
        expect(etag).toMatch(/^"[^"]+"$/);
        now.set(url, { etag, body: await r.text() });
        // The tag it gave is current: 304, also in a list, weakly compared, and for *.
        for (const inm of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
          const c = await get(url, { 'If-None-Match': inm });
          expect([url, inm, c.status, await c.text()]).toEqual([url, inm, 304, '']);
          expect(c.headers.get('etag')).toBe(etag);
        }
      }
      return now;
    };
    /**
     * After a change: the job document's tag (and that of every resource whose body changed) is new. Changes written
     * straight to the database (as another process writes them) reach the cached answers with their notification.
     */
    const changed = async (what: string) => {
      const deadline = Date.now() + 2000;
      while ((await (await get(resources[0])).text()) === last.get(resources[0])!.body && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const now = await snapshot();
      for (const url of resources) {
        const a = last.get(url)!;
        const b = now.get(url)!;
        if (url === jobUrl) expect([what, b.body === a.body]).toEqual([what, false]);
        if (b.body !== a.body) expect([what, url, b.etag === a.etag]).toEqual([what, url, false]);
        // An old tag no longer matches once the job changed.
        if (b.etag !== a.etag) expect((await get(url, { 'If-None-Match': a.etag })).status).toBe(200);
      }
      last = now;
    };
    last = await snapshot();
    expect((await postForm(`${jobUrl}/parameters`, { ARMS: 'blue' }, anon)).status).toBe(303);
    await changed('parameters');
    expect((await postForm(`${jobUrl}/executionduration`, { EXECUTIONDURATION: '1234' }, anon)).status).toBe(303);
    await changed('executionDuration and quote');
    expect((await postForm(`${jobUrl}/destruction`, { DESTRUCTION: '2099-01-01T00:00:00Z' }, anon)).status).toBe(303);
    await changed('destruction');
    expect(await markQueued(pool, id, new Date(Date.now() + 60000))).not.toBeNull();
    await changed('phase QUEUED');
    expect(await markExecuting(pool, id, new Date())).not.toBeNull();
    await changed('phase EXECUTING');
    expect(await setProgress(pool, id, 0.25, 'step 1 of 4 done', new Date())).toBe(true);
    await changed('progress of a step');
    expect(await setProgress(pool, id, null, 'step 2 of 4 running', new Date())).toBe(true);
    await changed('progress message');
    expect(await markCompleted(pool, id, new Date(), [{ id: 'r1', href: 'https://example.org/r1.fits', path: null, mimeType: 'application/fits', size: 1 }])).not.toBeNull();
    await changed('results');

    const failing = await createJob(jobs, [['ID', objectId]], anon);
    resources.splice(0, resources.length, failing, `${failing}/phase`, `${failing}/results`, `${failing}/parameters`);
    last = await snapshot();
    await markQueued(pool, idOf(failing), null);
    await changed('queued');
    expect(await markError(pool, idOf(failing), new Date(), { type: 'fatal', message: 'Error: disk full' }, ['QUEUED'])).not.toBeNull();
    await changed('error');
    const aborting = await createJob(jobs, [['ID', objectId]], anon);
    resources.splice(0, resources.length, aborting, `${aborting}/phase`, `${aborting}/results`, `${aborting}/parameters`);
    last = await snapshot();
    expect((await postForm(`${aborting}/phase`, { PHASE: 'ABORT' }, anon)).status).toBe(303);
    await changed('aborted');
    // Deleted: gone, whatever tag the client holds.
    expect((await fetch(aborting, { method: 'DELETE', headers: anon, redirect: 'manual' })).status).toBe(303);
    expect((await get(aborting, { 'If-None-Match': last.get(aborting)!.etag })).status).toBe(404);
  }, 60000);

  it('changes the job list ETag when a listed job changes, a job is created or deleted, and answers 304 otherwise', async () => {
    const alice = { 'X-Remote-User': 'alice' };
    const listUrl = `${jobs}?LAST=2`;
    const page = async () => {
      const r = await get(listUrl, alice);
      expect(r.status).toBe(200);
      return { etag: r.headers.get('etag')!, body: await r.text() };
    };
    const a = await createJob(jobs, [['ID', objectId]], alice);
    let p = await page();
    expect(p.body).toContain(idOf(a));
    expect((await get(listUrl, { ...alice, 'If-None-Match': p.etag })).status).toBe(304);
    const step = async (what: string, change: () => Promise<unknown>, bodyChanges = true) => {
      await change();
      const q = await page();
      expect([what, q.etag === p.etag]).toEqual([what, false]);
      if (bodyChanges) expect([what, q.body === p.body]).toEqual([what, false]);
      expect((await get(listUrl, { ...alice, 'If-None-Match': p.etag })).status).toBe(200);
      expect((await get(listUrl, { ...alice, 'If-None-Match': q.etag })).status).toBe(304);
      p = q;
    };
    const b = await createJob(jobs, [['ID', objectId]], alice);
    await step('created', async () => {});
    await step('phase of a listed job', () => markQueued(s.db.pool, idOf(b), null));
    // Progress is not in the list body, but the tag may move with any change of a listed job: never a stale 304.
    await step('progress', () => markExecuting(s.db.pool, idOf(b), new Date()).then(() => setProgress(s.db.pool, idOf(b), 0.5, null, new Date())));
    await step('third job pushes one off the page', () => createJob(jobs, [['ID', objectId]], alice));
    await step('deleted', () => fetch(b, { method: 'DELETE', headers: alice, redirect: 'manual' }));
    // Another owner's jobs are not in alice's list: her tag holds.
    await createJob(jobs, [['ID', objectId]], { 'X-Remote-User': 'bob' });
    expect((await get(listUrl, { ...alice, 'If-None-Match': p.etag })).status).toBe(304);
    expect(a).toBeTruthy();
  }, 60000);
});
