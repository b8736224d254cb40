// Job creation is rate limited per owner (RATE_LIMIT_JOBS_PER_MIN): a token bucket per owner, 429 with
// Retry-After and a DALI label beyond it, nothing stored for a refused request, other owners unaffected, and
// anonymous callers told apart by address.
import http from 'node:http';
import { createToken } from '../../src/auth/tokens.js';
import { systemClock } from '../../src/clock.js';
import { createTokenBuckets } from '../../src/http/rate-limit.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { postForm } from '../integration/uws-helpers.js';

describe('token buckets', () => {
  it('allow a minute of burst, then one job per 60/rate seconds', () => {
    let now = 0;
    const b = createTokenBuckets(3, () => now);
    expect([b.take('a'), b.take('a'), b.take('a')].every((r) => r.ok)).toBe(true);
    expect(b.take('a')).toEqual({ ok: false, retryAfterS: 20 });
    expect(b.take('b').ok).toBe(true);
    now += 19000;
    expect(b.take('a')).toEqual({ ok: false, retryAfterS: 1 });
    now += 1000;
    expect(b.take('a').ok).toBe(true);
    expect(b.take('a').ok).toBe(false);
  });

  it('forget idle owners, so many one-off callers do not grow the map forever', () => {
    let now = 0;
    const b = createTokenBuckets(60, () => now);
    for (let i = 0; i < 9999; i++) b.take(`owner${i}`);
    expect(b.size()).toBe(9999);
    now += 60000;
    b.take('busy');
    expect(b.size()).toBe(1);
  });
});

describe('RATE_LIMIT_JOBS_PER_MIN on /soda/async', () => {
  let db: TestDatabase;
  let app: TestApp;
  let anon: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { AUTH_MODE: 'token', RATE_LIMIT_JOBS_PER_MIN: '3' } });
    anon = await startTestApp(db.pool, { config: { RATE_LIMIT_JOBS_PER_MIN: '2' } });
  });
  afterAll(async () => {
    await app.close();
    await anon.close();
    await db.drop();
  });

  it('answers 429 with Retry-After beyond the rate, per owner, and stores nothing then', async () => {
    const alice = { authorization: `Bearer ${(await createToken(db.pool, systemClock, 'alice')).token}` };
    const bob = { authorization: `Bearer ${(await createToken(db.pool, systemClock, 'bob')).token}` };
    const jobs = `${app.url}/soda/async`;
    for (let i = 0; i < 3; i++) expect((await postForm(jobs, { DURATION: '0' }, alice)).status).toBe(303);
    const refused = await postForm(jobs, { DURATION: '0', RUNID: 'refused' }, alice);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(19);
    expect(await refused.text()).toMatch(/^ServiceUnavailable: more than 3 jobs per minute for this owner; retry in \d+ s$/);
    const { rows } = await db.pool.query(`select count(*)::int as n from uws_job where run_id = 'refused'`);
    expect(rows[0].n).toBe(0);
    // Another owner has a bucket of its own; reading jobs is never limited.
    expect((await postForm(jobs, { DURATION: '0' }, bob)).status).toBe(303);
    expect((await fetch(jobs, { headers: alice })).status).toBe(200);
    // Bad credentials are still 401, not 429.
    expect((await postForm(jobs, { DURATION: '0' }, { authorization: 'Bearer nonsense' })).status).toBe(401);
  });

  it('counts anonymous callers per client address', async () => {
    const post = (localAddress: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${anon.url}/soda/async`);
        const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end('DURATION=0');
      });
    expect([await post('127.0.0.1'), await post('127.0.0.1'), await post('127.0.0.1')]).toEqual([303, 303, 429]);
    expect([await post('127.0.0.2'), await post('127.0.0.2'), await post('127.0.0.2')]).toEqual([303, 303, 429]);
  });
});
