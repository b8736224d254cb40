// Job creation is rate limited per owner (RATE_LIMIT_JOBS_PER_MIN): a token bucket per owner kept in PostgreSQL,
// 429 with Retry-After and a DALI label beyond it, nothing stored for a refused request, other owners unaffected,
// anonymous callers told apart by address, and one budget per owner however many API processes serve it.
import http from 'node:http';
import { createToken } from '../../src/auth/tokens.js';
import { systemClock } from '../../src/clock.js';
import { createTokenBuckets } from '../../src/auth/rate-buckets.js';
import { rateBucketCount } from '../../src/store/rate-bucket-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { postForm } from '../integration/uws-helpers.js';

describe('token buckets in PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('allow a minute of burst, then one job per 60/rate seconds', async () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = { now: () => new Date(now) };
    const b = createTokenBuckets({ db: db.pool, perMinute: 3, clock });
    expect([await b.take('a'), await b.take('a'), await b.take('a')]).toEqual([
      { ok: true, remaining: 2 },
      { ok: true, remaining: 1 },
      { ok: true, remaining: 0 },
    ]);
    expect(await b.take('a')).toEqual({ ok: false, retryAfterS: 20 });
    expect((await b.take('b')).ok).toBe(true);
    now += 19000;
    expect(await b.take('a')).toEqual({ ok: false, retryAfterS: 1 });
    now += 1000;
    expect((await b.take('a')).ok).toBe(true);
    expect((await b.take('a')).ok).toBe(false);
    // A take stamped earlier than the bucket's last one (another host's clock behind) refills nothing.
    now -= 30000;
    expect((await b.take('a')).ok).toBe(false);
  });

  it('share one budget between processes: concurrent takes never grant more than the bucket holds', async () => {
    const clock = { now: () => new Date(Date.UTC(2026, 0, 2)) };
    const processes = [0, 1, 2, 3].map(() => createTokenBuckets({ db: db.pool, perMinute: 10, clock }));
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => processes[i % 4].take('shared')));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
  });

  it('forget idle owners, so many one-off callers do not grow the table forever', async () => {
    let now = Date.UTC(2026, 0, 3);
    const clock = { now: () => new Date(now) };
    const b = createTokenBuckets({ db: db.pool, perMinute: 60, clock });
    await db.pool.query('delete from rate_bucket');
    for (let i = 0; i < 200; i++) await b.take(`owner${i}`);
    expect(await rateBucketCount(db.pool)).toBe(200);
    now += 61000;
    await b.take('busy');
    // The prune runs beside the take: wait for it rather than assume it finished.
    const t0 = Date.now();
    while ((await rateBucketCount(db.pool)) !== 1 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    expect(await rateBucketCount(db.pool)).toBe(1);
  });
});

describe('RATE_LIMIT_JOBS_PER_MIN on /soda/async', () => {
  let db: TestDatabase;
  let app: TestApp;
  let anon: TestApp;
  let other: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { AUTH_MODE: 'token', RATE_LIMIT_JOBS_PER_MIN: '3' } });
    // A second API process on the same database (its own factory, as another node:cluster worker or host runs).
    other = await startTestApp(db.pool, { config: { AUTH_MODE: 'token', RATE_LIMIT_JOBS_PER_MIN: '3' } });
    anon = await startTestApp(db.pool, { config: { RATE_LIMIT_JOBS_PER_MIN: '2' } });
  });
  afterAll(async () => {
    await app.close();
    await anon.close();
    await other.close();
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

  it('gives an owner one budget across API processes, not one per process', async () => {
    const carol = { authorization: `Bearer ${(await createToken(db.pool, systemClock, 'carol')).token}` };
    const [a, b] = [`${app.url}/soda/async`, `${other.url}/soda/async`];
    expect((await postForm(a, { DURATION: '0' }, carol)).status).toBe(303);
    expect((await postForm(b, { DURATION: '0' }, carol)).status).toBe(303);
    expect((await postForm(a, { DURATION: '0' }, carol)).status).toBe(303);
    // Three taken between the two processes: each refuses the fourth, and says when to retry.
    const refusedB = await postForm(b, { DURATION: '0' }, carol);
    expect(refusedB.status).toBe(429);
    expect(Number(refusedB.headers.get('retry-after'))).toBeGreaterThanOrEqual(15);
    expect((await postForm(a, { DURATION: '0' }, carol)).status).toBe(429);
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
