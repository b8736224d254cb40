// The PRIORITY job parameter of /soda/async through real HTTP (header authentication, real engine): only users in
// PRIORITY_USERS (and admins) may raise it, on creation and on a parameter change; bad values are UsageErrors;
// a permitted job's steps carry the priority into the scheduler, and the reduction parser never sees it.
import { simulatedArchive, startSodaApp, type SimulatedArchive, type SodaTestApp } from '../support/soda-app.js';
import { objectFrame } from './soda-fixture.js';
import { createJob, getJob, getText, postForm } from './uws-helpers.js';

const as = (user: string) => ({ 'x-remote-user': user });

describe('PRIORITY parameter', () => {
  let archive: SimulatedArchive;
  let s: SodaTestApp;
  let jobs: string;
  let id: string;

  beforeAll(async () => {
    archive = await simulatedArchive({ night: '2026-04-07', seed: 3 });
    s = await startSodaApp(archive, { config: { AUTH_MODE: 'header', PRIORITY_USERS: 'too-team', ADMIN_USERS: 'root', PRIORITY_MAX: '8' } });
    jobs = `${s.url}/soda/async`;
    id = objectFrame(s.frames, 1).id;
  }, 120000);
  afterAll(async () => {
    await s?.close();
  });

  const answer = async (res: Response) => [res.status, await res.text()];

  it('refuses a priority from a user not permitted (403), and bad values from anyone (400)', async () => {
    expect(await answer(await postForm(jobs, [['ID', id], ['PRIORITY', '5']], as('bob')))).toEqual([403, expect.stringMatching(/^AuthorizationError: PRIORITY is reserved for target-of-opportunity users/)]);
    expect(await answer(await postForm(jobs, [['ID', id], ['PRIORITY', '9']], as('too-team')))).toEqual([400, expect.stringMatching(/^UsageError: PRIORITY must be an integer from 0 to 8/)]);
    expect(await answer(await postForm(jobs, [['ID', id], ['PRIORITY', 'high']], as('too-team')))).toEqual([400, expect.stringMatching(/^UsageError: PRIORITY must be an integer/)]);
    expect(await answer(await postForm(jobs, [['ID', id], ['PRIORITY', '1'], ['PRIORITY', '2']], as('too-team')))).toEqual([400, expect.stringMatching(/^MultiValuedParamNotSupported: PRIORITY may be given once/)]);
    // PRIORITY=0 is the normal lane: anyone may say so.
    expect((await postForm(jobs, [['ID', id], ['PRIORITY', '0']], as('bob'))).status).toBe(303);
    // Raising it later is checked the same way.
    const job = await createJob(jobs, [['ID', id]], as('bob'));
    expect(await answer(await postForm(`${job}/parameters`, [['PRIORITY', '3']], as('bob')))).toEqual([403, expect.stringMatching(/^AuthorizationError: /)]);
    expect((await postForm(`${job}/parameters`, [['PRIORITY', '3']], as('root'))).status).toBe(303);
  });

  it('gives a permitted job\'s steps its priority; the plan preview is the ordinary SODA one', async () => {
    const job = await createJob(jobs, [['ID', id], ['ARMS', 'blue'], ['PRIORITY', '7']], as('too-team'));
    const pending = await getJob(job, as('too-team'));
    expect(pending.xml).toContain('<plan:summary');
    expect((await getText(`${job}/plan`, as('too-team'))).body).toContain('<plan:plan');
    expect(pending.job.parameters.parameter.map((p: Record<string, string>) => [p['@id'], p['#text']])).toEqual(expect.arrayContaining([['PRIORITY', '7']]));
    expect((await postForm(`${job}/phase`, { PHASE: 'RUN' }, as('too-team'))).status).toBe(303);
    const jobId = job.split('/').pop()!;
    let rows: Array<{ priority: number }> = [];
    for (let i = 0; i < 200 && !rows.length; i++) {
      rows = (await s.db.pool.query('select s.priority from job_step js join step s on s.id = js.step_id where js.job_id = $1', [jobId])).rows;
      if (!rows.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.priority))).toEqual(new Set([7]));
    expect((await postForm(`${job}/phase`, { PHASE: 'ABORT' }, as('too-team'))).status).toBe(303);
  }, 60000);
});
