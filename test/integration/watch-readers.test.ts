// Jobs shared with readers (uws_job_reader), as the archive watcher shares its auto jobs with a programme's users:
// through real HTTP, a reader lists and reads the job but may not change it (403), others still get 404, and in
// anonymous mode a job shared with '*' is everyone's to read.
import { addJobReaders } from '../../src/store/job-reader-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createJob, getText, parseXml, postForm } from './uws-helpers.js';

const as = (user: string) => ({ 'x-remote-user': user });
const ids = (body: string) => ((parseXml(body).jobs.jobref ?? []) as Array<Record<string, string>>).map((j) => j['@id']).sort();

describe('jobs shared with readers', () => {
  let db: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { AUTH_MODE: 'header' } });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('lets a reader list and read the job, not change it; others do not see it', async () => {
    const jobs = `${app.url}/soda/async`;
    const shared = await createJob(jobs, { DURATION: '0' }, as('drsoda-auto'));
    const unshared = await createJob(jobs, { DURATION: '0' }, as('drsoda-auto'));
    const own = await createJob(jobs, { DURATION: '0' }, as('alice'));
    const id = (u: string) => u.split('/').pop()!;
    await addJobReaders(db.pool, id(shared), ['alice']);

    expect(ids((await getText(jobs, as('alice'))).body)).toEqual([id(own), id(shared)].sort());
    expect(ids((await getText(`${jobs}?PHASE=PENDING`, as('alice'))).body)).toEqual([id(own), id(shared)].sort());
    expect(ids((await getText(jobs, as('bob'))).body)).toEqual([]);
    expect((await getText(shared, as('alice'))).status).toBe(200);
    expect((await getText(`${shared}/phase`, as('alice'))).body).toBe('PENDING');
    expect((await getText(unshared, as('alice'))).status).toBe(404);
    expect((await getText(shared, as('bob'))).status).toBe(404);

    const run = await postForm(`${shared}/phase`, { PHASE: 'RUN' }, as('alice'));
    expect([run.status, await run.text()]).toEqual([403, expect.stringMatching(/^AuthorizationError: job .* belongs to drsoda-auto; it is shared with you to read, not to change/)]);
    expect((await fetch(shared, { method: 'DELETE', headers: as('alice'), redirect: 'manual' })).status).toBe(403);
    expect((await getText(`${shared}/phase`, as('drsoda-auto'))).body).toBe('PENDING');
    // The owner still controls it.
    expect((await fetch(shared, { method: 'DELETE', headers: as('drsoda-auto'), redirect: 'manual' })).status).toBe(303);
  });

  it('shares a job with everyone through the reader *, the anonymous caller included', async () => {
    const anon = await startTestApp(db.pool, { config: { AUTH_MODE: 'anonymous' } });
    try {
      const header = `${app.url}/soda/async`;
      const job = await createJob(header, { DURATION: '0' }, as('drsoda-auto'));
      const id = job.split('/').pop()!;
      expect(ids((await getText(`${anon.url}/soda/async`)).body)).not.toContain(id);
      await addJobReaders(db.pool, id, ['*']);
      expect(ids((await getText(`${anon.url}/soda/async`)).body)).toContain(id);
      expect((await getText(`${anon.url}/soda/async/${id}`)).status).toBe(200);
      expect(ids((await getText(header, as('carol'))).body)).toEqual([id]);
    } finally {
      await anon.close();
    }
  });
});
