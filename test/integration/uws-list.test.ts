// The job list: PHASE/AFTER/LAST filters (UWS 1.1 section 2.2.2.1), newest first, ARCHIVED only on request,
// the keyset paging extension (Link rel="next", docs/uws.md), and every filter shape answered from an index.
import { listJobsQuery, type ListQuery } from '../../src/store/job-list-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectValid } from '../support/xsd.js';
import { getText, parseXml } from './uws-helpers.js';

const phasesCycle = `(array['PENDING','COMPLETED','ERROR','ABORTED','ARCHIVED','EXECUTING'])[1 + g % 6]`;

/** Inserts n jobs of a kind; pairs share a creationTime so the id tie-break matters. */
async function insertJobs(db: TestDatabase, kind: string, n: number, owners: string): Promise<void> {
  await db.pool.query(
    `insert into uws_job (id, kind, owner_id, phase, creation_time, execution_duration, destruction)
     select $1 || lpad(g::text, 6, '0'), $1, ${owners}, ${phasesCycle},
            timestamptz '2025-01-01T00:00:00Z' + (g / 2) * interval '1 second', 60, null
     from generate_series(1, $2) g`,
    [kind, n],
  );
}

type Ref = { '@id': string; phase: string; creationTime: string };
const refs = (xml: string): Ref[] => parseXml(xml).jobs.jobref ?? [];

describe('UWS job list', () => {
  let db: TestDatabase;
  let app: TestApp;
  let jobs: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    await insertJobs(db, 'sleep', 2500, 'null');
    app = await startTestApp(db.pool);
    jobs = `${app.url}/soda/async`;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('filters by PHASE (union), AFTER and LAST, newest first, in a valid document', async () => {
    const last = await getText(`${jobs}?LAST=5`);
    expect(last.status).toBe(200);
    await expectValid(last.body, 'uws');
    expect(refs(last.body).map((r) => r['@id'])).toEqual(['sleep002499', 'sleep002498', 'sleep002497', 'sleep002496', 'sleep002495']); // 2500 is ARCHIVED
    const union = refs((await getText(`${jobs}?PHASE=ERROR&phase=aborted&LAST=50`)).body);
    expect(union).toHaveLength(50);
    expect(new Set(union.map((r) => r.phase))).toEqual(new Set(['ERROR', 'ABORTED']));
    // pyvo's AFTER format: 6 fraction digits, Z. Strictly after: the two jobs at 00:20:48 are excluded
    // (and the newest, at 00:20:50, is ARCHIVED).
    const after = refs((await getText(`${jobs}?AFTER=2025-01-01T00:20:48.000000Z`)).body);
    expect(after.map((r) => r.creationTime)).toEqual(['2025-01-01T00:20:49.000Z', '2025-01-01T00:20:49.000Z']);
    const combined = refs((await getText(`${jobs}?AFTER=2025-01-01T00:20:00Z&PHASE=COMPLETED&LAST=3`)).body);
    expect(combined.map((r) => [r.phase, r.creationTime > '2025-01-01T00:20:00.000Z'])).toEqual(Array(3).fill(['COMPLETED', true]));
    const times = refs((await getText(`${jobs}?LAST=1000`)).body).map((r) => r.creationTime);
    expect(times).toEqual([...times].sort().reverse());
  });

  it('lists ARCHIVED jobs only when PHASE=ARCHIVED is asked for', async () => {
    const all = refs((await getText(`${jobs}?LAST=600`)).body);
    expect(all.some((r) => r.phase === 'ARCHIVED')).toBe(false);
    const archived = refs((await getText(`${jobs}?PHASE=ARCHIVED&LAST=5`)).body);
    expect(archived.map((r) => r.phase)).toEqual(Array(5).fill('ARCHIVED'));
  });

  it('rejects bad filters with 400', async () => {
    for (const q of ['PHASE=DONE', 'AFTER=yesterday', 'LAST=0', 'LAST=-3', 'CURSOR=abc', 'AFTER=1&AFTER=2']) {
      expect([q, (await getText(`${jobs}?${q}`)).status]).toEqual([q, 400]);
    }
  });

  it('pages through every job with Link rel="next" (keyset paging extension)', async () => {
    let url: string | null = jobs;
    const seen: Ref[] = [];
    let pages = 0;
    while (url) {
      const r = await getText(url);
      await expectValid(r.body, 'uws');
      seen.push(...refs(r.body));
      pages++;
      url = /^<([^>]+)>; rel="next"$/.exec(r.res.headers.get('link') ?? '')?.[1] ?? null;
    }
    const expected = Math.round((2500 * 5) / 6); // every phase but ARCHIVED
    expect(pages).toBe(Math.ceil(expected / 1000));
    expect(seen).toHaveLength(expected);
    expect(new Set(seen.map((r) => r['@id'])).size).toBe(expected);
    const keys = seen.map((r) => `${r.creationTime} ${r['@id']}`);
    expect(keys).toEqual([...keys].sort().reverse());
    // LAST larger than a page: the next link carries what is left of LAST.
    const first = await getText(`${jobs}?LAST=1100&PHASE=PENDING&PHASE=COMPLETED&PHASE=ERROR`);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.res.headers.get('link')!)![1];
    expect(new URL(next).searchParams.getAll('PHASE')).toEqual(['PENDING', 'COMPLETED', 'ERROR']);
    expect(new URL(next).searchParams.get('LAST')).toBe('100');
    const second = await getText(next);
    expect(refs(first.body)).toHaveLength(1000);
    expect(refs(second.body)).toHaveLength(100);
    expect(second.res.headers.get('link')).toBeNull();
  });
});

describe('UWS job list queries', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await insertJobs(db, 'sleep', 60000, `'user' || (g % 50)`);
    await insertJobs(db, 'other', 20000, 'null');
    await db.pool.query('analyze uws_job');
  });
  afterAll(async () => {
    await db.drop();
  });

  const shapes: Array<[string, ListQuery]> = [
    ['everyone', { kind: 'sleep', limit: 1001 }],
    ['one owner', { kind: 'sleep', ownerId: 'user7', limit: 1001 }],
    ['anonymous owner', { kind: 'other', ownerId: null, limit: 1001 }],
    ['one phase', { kind: 'sleep', phases: ['ERROR'], limit: 1001 }],
    ['owner and phase', { kind: 'sleep', ownerId: 'user7', phases: ['COMPLETED'], limit: 101 }],
    ['after', { kind: 'sleep', after: new Date('2025-01-01T08:00:00Z'), limit: 1001 }],
    ['keyset page', { kind: 'sleep', before: { creationTime: new Date('2025-01-01T05:00:00Z'), id: 'sleep036000' }, limit: 1001 }],
  ];

  // The planner may pick an ordered index scan or, for a few hundred rows, a bitmap index scan plus a
  // small sort; what must never happen is reading the whole table.
  it.each(shapes)('answers "%s" from an index', async (_name, q) => {
    const { text, values } = listJobsQuery(q);
    const { rows } = await db.pool.query(`explain (format json) ${text}`, values);
    const plan = JSON.stringify(rows[0]['QUERY PLAN']);
    expect(plan).toMatch(/"Node Type":"(Bitmap )?Index (Only )?Scan"/);
    expect(plan).not.toMatch(/"Node Type":"Seq Scan"/);
  });
});
