// Isolation in AUTH_MODE=token: a matrix of callers (the owner, another user, an admin, no token) x every resource
// of a job (document, phase, parameters, uploads, results, error, steps and their logs, DataLink) and of its
// products (/files/products, product DIDs in /soda/links). Another user sees exactly what a job that does not
// exist looks like, and changes nothing.
import { createToken } from '../../src/auth/tokens.js';
import { systemClock } from '../../src/clock.js';
import { getJob } from '../../src/store/job-store.js';
import { startSecureApp, AUTHORITY, type SecureApp } from './secure-app.js';

type Caller = 'owner' | 'other' | 'admin' | 'none';

describe('owners x endpoints (AUTH_MODE=token)', () => {
  let s: SecureApp;
  const headers: Record<Caller, Record<string, string>> = { owner: {}, other: {}, admin: {}, none: {} };
  let job: { id: string; stepId: string; fileName: string };
  let upload: string;
  let jobs: string;

  beforeAll(async () => {
    s = await startSecureApp({ config: { AUTH_MODE: 'token', ADMIN_USERS: 'root' } });
    jobs = `${s.url}/soda/async`;
    for (const [who, user] of [['owner', 'alice'], ['other', 'bob'], ['admin', 'root']] as const) {
      headers[who] = { authorization: `Bearer ${(await createToken(s.db.pool, systemClock, user)).token}` };
    }
    job = await s.completedJob('alice', 'iso');
    // A PENDING job of alice's with an inline upload.
    const form = new FormData();
    form.append('ID', `ivo://${AUTHORITY}/aat?2014-09-26/ccd1/0004`);
    form.append('t1', new Blob(['secret upload']), 't1.vot');
    const res = await fetch(jobs, { method: 'POST', body: form, headers: headers.owner, redirect: 'manual' });
    expect(res.status).toBe(303);
    upload = res.headers.get('location')!.split('/').pop()!;
  });
  afterAll(async () => {
    await s?.close();
  });

  const get = async (url: string, who: Caller) => {
    const res = await fetch(url, { headers: headers[who], redirect: 'manual' });
    return { status: res.status, body: await res.text() };
  };

  const jobPaths = () => [
    [job.id, ''], [job.id, '/phase'], [job.id, '/parameters'], [job.id, '/results'], [job.id, `/results/${job.fileName.replace(/\.fits$/, '')}`],
    [job.id, '/error'], [job.id, '/owner'], [job.id, '/quote'], [job.id, '/destruction'], [job.id, '/executionduration'],
    [job.id, '/steps'], [job.id, `/steps/${job.stepId}/log`], [job.id, '/links'], [upload, '/parameters/t1'], [upload, ''],
  ];

  it('gives the owner and admins every job resource, others the 404 of a job that does not exist, and 401 without a token', async () => {
    const matrix: string[] = [];
    for (const [id, suffix] of jobPaths()) {
      const owner = await get(`${jobs}/${id}${suffix}`, 'owner');
      // /error of a job without an error is a 404 for its owner too; everything else is there.
      const expected = suffix === '/error' ? 404 : 200;
      expect([suffix, owner.status]).toEqual([suffix, expected]);
      const admin = await get(`${jobs}/${id}${suffix}`, 'admin');
      expect([suffix, admin.status, admin.body]).toEqual([suffix, owner.status, owner.body]);
      const other = await get(`${jobs}/${id}${suffix}`, 'other');
      const ghostId = id.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'));
      const ghost = await get(`${jobs}/${ghostId}${suffix}`, 'other');
      expect([suffix, other.status]).toEqual([suffix, 404]);
      // Indistinguishable from absent: the same answer as for a job id nobody has, nothing of the job in the body.
      expect(other.body.split(id).join('ID')).toBe(ghost.body.split(ghostId).join('ID'));
      expect(other.body).not.toMatch(/alice|secret upload|<uws:job/);
      const none = await get(`${jobs}/${id}${suffix}`, 'none');
      expect([suffix, none.status]).toEqual([suffix, 401]);
      matrix.push(`${suffix || '/'}: owner ${owner.status}, admin ${admin.status}, other ${other.status}, none ${none.status}`);
    }
    expect(matrix).toHaveLength(jobPaths().length);
  });

  it('lists only the caller’s jobs (all of them for an admin)', async () => {
    expect((await get(jobs, 'other')).body).not.toContain(job.id);
    expect((await get(jobs, 'owner')).body).toContain(upload);
    expect((await get(jobs, 'admin')).body).toContain(upload);
  });

  it('lets no one else change a job: RUN, ABORT, DELETE, parameters, destruction, duration are all 404 and change nothing', async () => {
    const before = await getJob(s.db.pool, upload);
    const post = (suffix: string, form: Record<string, string>) =>
      fetch(`${jobs}/${upload}${suffix}`, { method: 'POST', body: new URLSearchParams(form), headers: headers.other, redirect: 'manual' }).then((r) => r.status);
    expect(await post('/phase', { PHASE: 'RUN' })).toBe(404);
    expect(await post('/phase', { PHASE: 'ABORT' })).toBe(404);
    expect(await post('', { ACTION: 'DELETE' })).toBe(404);
    expect(await post('/parameters', { ID: 'ivo://x/y' })).toBe(404);
    expect(await post('/destruction', { DESTRUCTION: '2030-01-01T00:00:00Z' })).toBe(404);
    expect(await post('/executionduration', { EXECUTIONDURATION: '5' })).toBe(404);
    expect((await fetch(`${jobs}/${upload}`, { method: 'DELETE', headers: headers.other, redirect: 'manual' })).status).toBe(404);
    expect(await getJob(s.db.pool, upload)).toEqual(before);
  });

  it('serves a product file and its DataLink rows only to owners of a job that used it', async () => {
    const file = `${s.url}/files/products/${job.stepId}/${job.fileName}`;
    expect((await get(file, 'owner')).status).toBe(200);
    expect((await get(file, 'admin')).status).toBe(200);
    const other = await get(file, 'other');
    const absent = await get(`${s.url}/files/products/${job.stepId.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}/${job.fileName}`, 'other');
    expect([other.status, other.body]).toEqual([404, absent.body]);
    expect((await get(file, 'none')).status).toBe(401);

    const did = `ivo://${AUTHORITY}/products?${job.stepId}/${job.fileName}`;
    const links = (who: Caller) => get(`${s.url}/soda/links?ID=${encodeURIComponent(did)}`, who);
    const mine = await links('owner');
    expect(mine.status).toBe(200);
    expect(mine.body).toContain(`/files/products/${job.stepId}/${job.fileName}`);
    for (const who of ['other', 'none'] as const) {
      const r = await links(who);
      expect(r.status).toBe(200);
      expect(r.body).not.toContain(`/files/products/${job.stepId}`);
      expect(r.body).toMatch(/NotFoundFault/);
    }
  });
});
