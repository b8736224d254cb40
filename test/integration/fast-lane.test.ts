// The heads the fast lane (src/http/fast-lane.ts) writes itself, compared with the express app's: request id,
// validators, length, HEAD and 304, for a job document and phase answered from the cache and for VOSI availability.
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createJob } from './uws-helpers.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('fast lane answers', () => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool);
    await app.factory.listener().ready();
  }, 60000);
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  /** Reads the job until the cache holds its document, so the next GETs are the lane's own answers. */
  const cachedJob = async () => {
    const job = await createJob(`${app.url}/soda/async`, { DURATION: '30' });
    const id = job.split('/').pop()!;
    const deadline = Date.now() + 10000;
    while (!app.factory.jobCache().get(id)?.document) {
      if (Date.now() > deadline) throw new Error('the job never entered the cache');
      await fetch(job);
      await new Promise((r) => setTimeout(r, 20));
    }
    return job;
  };

  it('gives every answer a request id: the client\'s when valid, a new UUID otherwise, on both paths', async () => {
    const job = await cachedJob();
    for (const url of [job, `${job}/phase`, `${app.url}/soda/availability`, `${app.url}/soda/async`]) {
      const own = await fetch(url, { headers: { 'X-Request-Id': 'trace-42.a:b' } });
      expect([url, own.headers.get('x-request-id')]).toEqual([url, 'trace-42.a:b']);
      const bad = await fetch(url, { headers: { 'X-Request-Id': 'spaces are not ids' } });
      expect([url, uuid.test(bad.headers.get('x-request-id') ?? '')]).toEqual([url, true]);
      const none = await fetch(url);
      expect([url, uuid.test(none.headers.get('x-request-id') ?? '')]).toEqual([url, true]);
    }
  });

  it('counts its own answers in the request metrics under the route, with their status', async () => {
    const job = await cachedJob();
    const count = async (route: string, status: number) => {
      const text = await app.factory.metrics().scrape();
      const line = text.split('\n').find((l) => l.startsWith('drsoda_http_requests_total{') && l.includes(`route="${route}"`) && l.includes(`status="${status}"`) && l.includes('method="GET"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = { ok: await count('/soda/async/{id}/phase', 200), notModified: await count('/soda/async/{id}/phase', 304) };
    const first = await fetch(`${job}/phase`);
    expect(first.status).toBe(200);
    await fetch(`${job}/phase`);
    expect((await fetch(`${job}/phase`, { headers: { 'If-None-Match': first.headers.get('etag')! } })).status).toBe(304);
    expect(await count('/soda/async/{id}/phase', 200)).toBe(before.ok + 2);
    expect(await count('/soda/async/{id}/phase', 304)).toBe(before.notModified + 1);
  });

  it('writes type, validators and length with the body, the same head without it for HEAD, and 304 for a matching tag', async () => {
    const job = await cachedJob();
    for (const [url, type, cacheControl] of [
      [job, 'text/xml; charset=utf-8', 'private, no-cache'],
      [`${job}/phase`, 'text/plain; charset=utf-8', 'private, no-cache'],
      [`${app.url}/soda/availability`, 'text/xml; charset=utf-8', 'no-store'],
    ]) {
      const get = await fetch(url);
      const body = Buffer.from(await get.arrayBuffer());
      expect([url, get.status, get.headers.get('content-type'), get.headers.get('cache-control')]).toEqual([url, 200, type, cacheControl]);
      expect(Number(get.headers.get('content-length'))).toBe(body.length);
      const etag = get.headers.get('etag')!;
      expect([url, etag]).toEqual([url, expect.stringMatching(/^(W\/)?"[^"]+"$/)]);
      const head = await fetch(url, { method: 'HEAD' });
      expect([url, head.status, head.headers.get('etag'), head.headers.get('content-length')]).toEqual([url, 200, etag, String(body.length)]);
      expect((await head.arrayBuffer()).byteLength).toBe(0);
      const again = await fetch(url, { headers: { 'If-None-Match': etag } });
      expect([url, again.status, again.headers.get('etag'), uuid.test(again.headers.get('x-request-id') ?? '')]).toEqual([url, 304, etag, true]);
      expect(await again.text()).toBe('');
      const failed = await fetch(url, { headers: { 'If-Match': '"not-this"' } });
      expect([url, failed.status]).toEqual([url, 412]);
    }
  });
});
