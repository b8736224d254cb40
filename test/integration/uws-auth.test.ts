// Owners: bearer tokens made by the real `drsoda token` CLI and stored hashed, the trusted-header mode,
// admins who see everything, and others' jobs that are as absent as deleted ones (404).
import { createHash } from 'node:crypto';
import { createToken } from '../../src/auth/tokens.js';
import { systemClock } from '../../src/clock.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { runDrsoda } from '../support/process.js';
import { expectValid } from '../support/xsd.js';
import { createJob, getJob, getText, parseXml, postForm } from './uws-helpers.js';

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('UWS owners with AUTH_MODE=token', () => {
  let db: TestDatabase;
  let app: TestApp;
  let jobs: string;
  let alice: string;
  let aliceId: string;
  let bob: string;
  let root: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { AUTH_MODE: 'token', ADMIN_USERS: 'root, ops' } });
    jobs = `${app.url}/soda/async`;
    const made = await runDrsoda(['token', 'create', 'alice', '--label', 'laptop'], { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    expect(made.code).toBe(0);
    alice = made.stdout.trim();
    aliceId = /^drsoda_([A-Za-z0-9]{8})_/.exec(alice)![1];
    bob = (await createToken(db.pool, systemClock, 'bob')).token;
    root = (await createToken(db.pool, systemClock, 'root')).token;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('stores only a SHA-256 of each token', async () => {
    const { rows } = await db.pool.query<{ user_id: string; token_hash: Buffer; label: string }>('select user_id, token_hash, label from api_token where id = $1', [aliceId]);
    expect(rows[0].user_id).toBe('alice');
    expect(rows[0].label).toBe('laptop');
    expect(rows[0].token_hash.equals(createHash('sha256').update(alice).digest())).toBe(true);
    const { rows: all } = await db.pool.query(`select id, user_id, encode(token_hash, 'escape') as h, label from api_token`);
    expect(JSON.stringify(all)).not.toContain(alice.slice(-43));
  });

  it('answers 401 with a Bearer challenge without a valid token, and creates nothing', async () => {
    for (const headers of [{}, bearer('drsoda_AAAAAAAA_' + 'x'.repeat(43)), bearer('garbage'), { authorization: 'Basic YTpi' }]) {
      const res = await postForm(jobs, { DURATION: '0' }, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="drsoda"');
      expect(await res.text()).toMatch(/^AuthenticationError: /);
    }
    const { rows } = await db.pool.query('select count(*)::int as n from uws_job');
    expect(rows[0].n).toBe(0);
  });

  it("shows a job to its owner and admins only; others get 404 and change nothing", async () => {
    const job = await createJob(jobs, { DURATION: '30' }, bearer(alice));
    const { xml, job: doc } = await getJob(job, bearer(alice));
    await expectValid(xml, 'uws');
    expect(doc.ownerId).toBe('alice');
    expect((await getText(`${job}/owner`, bearer(alice))).body).toBe('alice');
    for (const path of ['', '/phase', '/parameters', '/owner']) expect((await getText(`${job}${path}`, bearer(bob))).status).toBe(404);
    expect((await postForm(`${job}/phase`, { PHASE: 'RUN' }, bearer(bob))).status).toBe(404);
    expect((await postForm(job, { ACTION: 'DELETE' }, bearer(bob))).status).toBe(404);
    expect((await fetch(job, { method: 'DELETE', headers: bearer(bob), redirect: 'manual' })).status).toBe(404);
    expect((await getJob(job, bearer(alice))).job.phase).toBe('PENDING');
    const bobList = parseXml((await getText(jobs, bearer(bob))).body).jobs;
    expect(bobList.jobref ?? []).toHaveLength(0);
    const aliceList = await getText(jobs, bearer(alice));
    await expectValid(aliceList.body, 'uws');
    expect(parseXml(aliceList.body).jobs.jobref.map((j: { '@id': string }) => j['@id'])).toEqual([doc.jobId]);
    // An admin sees and manages every job.
    expect(parseXml((await getText(jobs, bearer(root))).body).jobs.jobref.map((j: { ownerId: string }) => j.ownerId)).toEqual(['alice']);
    expect((await postForm(`${job}/phase`, { PHASE: 'ABORT' }, bearer(root))).status).toBe(303);
    expect((await getJob(job, bearer(alice))).job.phase).toBe('ABORTED');
  });

  it('stops accepting a token revoked with the CLI', async () => {
    expect((await getText(jobs, bearer(alice))).status).toBe(200);
    const listed = await runDrsoda(['token', 'list', 'alice'], { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    expect(listed.stdout).toMatch(new RegExp(`^${aliceId}\\talice\\t.*\\tactive\\tlaptop$`, 'm'));
    expect(listed.stdout).not.toContain(alice);
    const revoked = await runDrsoda(['token', 'revoke', aliceId], { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    expect(revoked.code).toBe(0);
    expect((await getText(jobs, bearer(alice))).status).toBe(401);
    const again = await runDrsoda(['token', 'revoke', aliceId], { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no active token/);
  });
});

describe('UWS owners with AUTH_MODE=header', () => {
  let db: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { AUTH_MODE: 'header', AUTH_HEADER: 'X-Forwarded-User' } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('takes the owner from the trusted header and refuses requests without it', async () => {
    const jobs = `${app.url}/soda/async`;
    expect((await postForm(jobs, {})).status).toBe(401);
    const job = await createJob(jobs, {}, { 'x-forwarded-user': 'carol@example.org' });
    expect((await getJob(job, { 'x-forwarded-user': 'carol@example.org' })).job.ownerId).toBe('carol@example.org');
    expect((await getText(job, { 'x-forwarded-user': 'dave' })).status).toBe(404);
  });
});
