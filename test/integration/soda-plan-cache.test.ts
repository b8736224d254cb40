// SODA plans are built once per distinct request and reused until the archive changes: a change to the frame
// index made behind the API's back (here, as an ingest marking a file gone would) reaches a job creation through
// the frame_change NOTIFY (migration 000011), never a stale plan. Also the cache itself: one build per key,
// failures not kept, everything dropped when the archive version moves.
import { createPlanCache } from '../../src/soda/plan-cache.js';
import type { SodaPlan } from '../../src/soda/plan-request.js';
import type { SodaRequest } from '../../src/soda/request.js';
import { simulatedArchive, startSodaApp, type SimulatedArchive, type SodaTestApp } from '../support/soda-app.js';
import { postForm } from './uws-helpers.js';
import { objectFrame } from './soda-fixture.js';

const request = (id: string, options: SodaRequest['options'] = {}): SodaRequest => ({ ids: [id], spatial: [], bands: [], format: 'application/fits', options });
const emptyPlan = (id: string): SodaPlan => ({ ids: [{ id, ref: { kind: 'night', night: '2026-03-14' } as never }], plan: null, regions: new Map() });

describe('SODA plan cache', () => {
  it('builds once per request and archive version, shares concurrent builds, and keeps no failure', async () => {
    let version: number | undefined = 1;
    let builds = 0;
    const cache = createPlanCache({ version: () => version, render: (s, _req, href) => `<x n="${s.ids.length}" href="${href ?? ''}"/>` });
    const build = (id: string) => async () => {
      builds++;
      return emptyPlan(id);
    };
    const [a, b] = await Promise.all([cache.get(request('a'), build('a')), cache.get(request('a'), build('a'))]);
    expect(builds).toBe(1);
    expect(a).toBe(b);
    expect(a.jobInfo(null)).toBe(b.jobInfo(null));
    expect(a.jobInfo('https://x/soda/async/j1/plan')).not.toBe(a.jobInfo(null));
    // Bands and format do not change the plan; options do, and so do regions (a frame none reaches is not planned).
    await cache.get({ ...request('a'), bands: [{ value: '1 2', metres: [1, 2] }] }, build('a'));
    expect(builds).toBe(1);
    await cache.get(request('a', { arms: 'blue' }), build('a'));
    expect(builds).toBe(2);
    await cache.get({ ...request('a'), spatial: [{ param: 'CIRCLE', value: '10 20 0.1' } as never] }, build('a'));
    expect(builds).toBe(3);
    version = 2;
    await cache.get(request('a'), build('a'));
    expect(builds).toBe(4);
    await expect(cache.get(request('bad'), async () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    await cache.get(request('bad'), build('bad'));
    expect(builds).toBe(5);
    // refresh() always builds, and later get()s answer with what it built.
    const renewed = await cache.refresh(request('a'), build('a'));
    expect(builds).toBe(6);
    expect(await cache.get(request('a'), build('a'))).toBe(renewed);
    expect(builds).toBe(6);
    // No archive version (the LISTEN connection is not up): nothing is kept.
    version = undefined;
    await cache.get(request('a'), build('a'));
    await cache.get(request('a'), build('a'));
    expect(builds).toBe(8);
  });

  describe('through /soda/async', () => {
    let archive: SimulatedArchive;
    let s: SodaTestApp;
    beforeAll(async () => {
      archive = await simulatedArchive();
      s = await startSodaApp(archive, { work: false });
      await s.factory.listener().ready();
    }, 120000);
    afterAll(async () => {
      await s?.close();
    });

    /** Polls job creation for ID until it answers `status` (the NOTIFY is asynchronous); returns the last body. */
    async function creationAnswers(id: string, status: number): Promise<string> {
      const deadline = Date.now() + 10000;
      for (;;) {
        const res = await postForm(`${s.url}/soda/async`, { ID: id });
        const body = await res.text();
        if (res.status === status) return body;
        if (Date.now() > deadline) throw new Error(`creation still answers ${res.status} (wanted ${status}): ${body}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    it('drops cached plans when the frame index changes', async () => {
      const id = objectFrame(s.frames, 1).id;
      for (let i = 0; i < 3; i++) expect((await postForm(`${s.url}/soda/async`, { ID: id })).status).toBe(303);
      expect(s.factory.archiveVersion().current()).toBeDefined();
      const before = s.factory.archiveVersion().current()!;
      // What an ingest does when a file has gone: the frame leaves the index.
      await s.db.pool.query('update frame set missing_since = now() where id = $1', [id]);
      expect(await creationAnswers(id, 400)).toMatch(/UsageError.*not in the archive/s);
      expect(s.factory.archiveVersion().current()).toBeGreaterThan(before);
      await s.db.pool.query('update frame set missing_since = null where id = $1', [id]);
      await creationAnswers(id, 303);
    });
  });
});
