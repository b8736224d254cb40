// The UWS 1.1 REST binding as clients see it: every document validated against UWS-v1.1.xsd, status codes,
// headers and transitions (legal and illegal), per ivoa-notes sections 3 and 9.
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectValid } from '../support/xsd.js';
import { createJob, getJob, getText, isoMs, parseXml, postForm, waitFinal } from '../integration/uws-helpers.js';

describe('UWS 1.1 REST binding at /soda/async', () => {
  let db: TestDatabase;
  let app: TestApp;
  let jobs: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db.pool, { config: { UWS_MAX_EXECUTION_DURATION_S: '600', UWS_MAX_DESTRUCTION_S: '86400' } });
    jobs = `${app.url}/soda/async`;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('creates a PENDING job with 303 to an absolute job URL, and a valid job document', async () => {
    const res = await postForm(jobs, [['duration', '0'], ['RunId', 'my-run'], ['band', '1 2'], ['BAND', '3 4']]);
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${app.config.baseUrl}/soda/async/[A-Za-z0-9_-]{22}$`));
    const r = await getText(location, { accept: 'application/xml,text/plain' });
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/xml/);
    await expectValid(r.body, 'uws');
    // Literal prefixes declared on the root, version 1.1 (ivoa-notes 3.6).
    expect(r.body).toMatch(/<uws:job xmlns:uws="http:\/\/www.ivoa.net\/xml\/UWS\/v1.0" xmlns:xlink="http:\/\/www.w3.org\/1999\/xlink" xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance" version="1.1">/);
    expect(r.body).toMatch(/<uws:phase>PENDING<\/uws:phase>/);
    expect(r.body).toMatch(/<uws:ownerId xsi:nil="true"\/>/);
    expect(r.body).toMatch(/<uws:startTime xsi:nil="true"\/>/);
    const job = parseXml(r.body).job;
    expect(location.endsWith(`/${job.jobId}`)).toBe(true);
    expect(job.runId).toBe('my-run');
    expect(job.creationTime).toMatch(isoMs);
    expect(job.destruction).toMatch(isoMs);
    expect(job.executionDuration).toBe('600');
    expect(job.parameters.parameter.map((p: { '@id': string; '#text': string }) => [p['@id'], p['#text']])).toEqual([
      ['DURATION', '0'],
      ['RUNID', 'my-run'],
      ['BAND', '1 2'],
      ['BAND', '3 4'],
    ]);
    // The control endpoints: text/plain, the bare value, identical to the job document.
    for (const [path, expected] of [['phase', 'PENDING'], ['executionduration', '600'], ['destruction', job.destruction], ['quote', job.quote], ['owner', '']]) {
      const t = await getText(`${location}/${path}`);
      expect([path, t.status, t.type]).toEqual([path, 200, 'text/plain; charset=utf-8']);
      expect(t.body).toBe(expected);
    }
    const params = await getText(`${location}/parameters`);
    await expectValid(params.body, 'uws');
    expect(params.body).toMatch(/^<\?xml[^>]*>\s*<uws:parameters xmlns:uws=/);
    const results = await getText(`${location}/results`);
    await expectValid(results.body, 'uws');
    expect(parseXml(results.body).results).toBe('');
    expect((await getText(`${location}/error`)).status).toBe(404);
  });

  it('runs a job: PHASE=RUN gives 303 and QUEUED or beyond before it, then COMPLETED with a served result', async () => {
    const job = await createJob(jobs, { DURATION: '0.2' });
    const run = await postForm(`${job}/phase`, { phase: 'run' });
    expect(run.status).toBe(303);
    expect(run.headers.get('location')).toBe(job);
    expect(['QUEUED', 'EXECUTING']).toContain((await getText(`${job}/phase`)).body);
    expect(await waitFinal(job)).toBe('COMPLETED');
    const { xml, job: doc } = await getJob(job);
    await expectValid(xml, 'uws');
    expect(doc.startTime).toMatch(isoMs);
    expect(doc.endTime).toMatch(isoMs);
    expect(doc.errorSummary).toBeUndefined();
    const [result] = doc.results.result;
    expect(result['@id']).toBe('result');
    // TOPCAT and pyvo read the literal attribute name xlink:href (ivoa-notes 8).
    expect(xml).toContain(`xlink:href="${job}/results/result"`);
    expect(result['@href']).toBe(`${job}/results/result`);
    expect(result['@mime-type']).toBe('application/x-votable+xml');
    const file = await getText(result['@href']);
    expect(file.status).toBe(200);
    expect(file.type).toMatch(/^application\/x-votable\+xml/);
    expect(Number(result['@size'])).toBe(Buffer.byteLength(file.body));
    await expectValid(file.body, 'votable');
    await expectValid((await getText(`${job}/results`)).body, 'uws');
    // Finished jobs refuse further changes with 403 and stay as they were.
    for (const [path, form] of [['phase', { PHASE: 'RUN' }], ['phase', { PHASE: 'ABORT' }], ['parameters', { DURATION: '1' }], ['executionduration', { EXECUTIONDURATION: '5' }]] as const) {
      const res = await postForm(`${job}/${path}`, form);
      expect([path, form, res.status]).toEqual([path, form, 403]);
      expect(await res.text()).toMatch(/^UsageError: /);
    }
    expect((await getJob(job)).xml).toBe(xml);
    expect((await getText(`${job}/error`)).status).toBe(404);
  });

  it('creates and runs in one POST with PHASE=RUN', async () => {
    const job = await createJob(jobs, { PHASE: 'RUN', DURATION: '0' });
    expect(['QUEUED', 'EXECUTING', 'COMPLETED']).toContain((await getText(`${job}/phase`)).body);
    expect(await waitFinal(job)).toBe('COMPLETED');
  });

  it('ends a failing job in ERROR with an errorSummary, and serves /error with 200', async () => {
    const job = await createJob(jobs, { DURATION: '0', FAIL: 'true', PHASE: 'RUN' });
    expect(await waitFinal(job)).toBe('ERROR');
    const { xml, job: doc } = await getJob(job);
    await expectValid(xml, 'uws');
    expect(doc.errorSummary['@type']).toBe('fatal');
    expect(doc.errorSummary['@hasDetail']).toBe('true');
    expect(doc.errorSummary.message).toBe('UsageError: FAIL=true was requested');
    const err = await getText(`${job}/error`);
    expect([err.status, err.type]).toEqual([200, 'text/plain; charset=utf-8']);
    expect(err.body).toMatch(/^UsageError: job .* FAIL=true/);
  });

  it('aborts an executing job (303, ABORTED, no errorSummary); aborting again is harmless', async () => {
    const job = await createJob(jobs, { DURATION: '30', PHASE: 'RUN' });
    expect(await postForm(`${job}/phase`, { PHASE: 'ABORT' }).then((r) => r.status)).toBe(303);
    const { xml, job: doc } = await getJob(job);
    await expectValid(xml, 'uws');
    expect(doc.phase).toBe('ABORTED');
    expect(doc.errorSummary).toBeUndefined();
    expect(await postForm(`${job}/phase`, { PHASE: 'ABORT' }).then((r) => r.status)).toBe(303);
    expect(await postForm(`${job}/phase`, { PHASE: 'RUN' }).then((r) => r.status)).toBe(403);
  });

  it('sets executionDuration and destruction with 303, clamped to the configured maxima', async () => {
    const job = await createJob(jobs, {});
    expect((await postForm(`${job}/executionduration`, { EXECUTIONDURATION: '100' })).status).toBe(303);
    expect((await getText(`${job}/executionduration`)).body).toBe('100');
    expect((await postForm(`${job}/executionduration`, { executionDuration: '0' })).status).toBe(303);
    expect((await getText(`${job}/executionduration`)).body).toBe('600');
    const res = await postForm(`${job}/destruction`, { DESTRUCTION: '2030-01-02T03:04:05.123456Z' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(job);
    const { job: doc } = await getJob(job);
    expect(new Date(doc.destruction).getTime() - new Date(doc.creationTime).getTime()).toBe(86400 * 1000);
    expect((await getText(`${job}/destruction`)).body).toBe(doc.destruction);
    // No zone means UTC; an hour from creation is within the maximum, so it is kept as given.
    const inAnHour = new Date(Date.parse(doc.creationTime) + 3600000).toISOString();
    expect((await postForm(`${job}/destruction`, { DESTRUCTION: inAnHour.replace('Z', '') })).status).toBe(303);
    expect((await getText(`${job}/destruction`)).body).toBe(inAnHour);
  });

  it('updates parameters while PENDING (303), replacing every value of a name', async () => {
    const job = await createJob(jobs, [['POL', 'I'], ['POL', 'Q'], ['DURATION', '1']]);
    expect((await postForm(`${job}/parameters`, [['pol', 'U'], ['RUNID', 'r2']])).status).toBe(303);
    const { xml, job: doc } = await getJob(job);
    await expectValid(xml, 'uws');
    expect(doc.runId).toBe('r2');
    expect(doc.parameters.parameter.map((p: { '@id': string; '#text': string }) => `${p['@id']}=${p['#text']}`)).toEqual(['DURATION=1', 'POL=U', 'RUNID=r2']);
  });

  it('rejects bad requests with 400 and changes nothing', async () => {
    const job = await createJob(jobs, { DURATION: '1' });
    const before = (await getJob(job)).xml;
    const listBefore = (await getText(jobs)).body;
    const cases: Array<[string, Array<[string, string]>, RegExp]> = [
      [jobs, [['DURATION', '-1']], /^UsageError: DURATION/],
      [jobs, [['RUNID', 'a'], ['RUNID', 'b']], /^MultiValuedParamNotSupported: RUNID/],
      [jobs, [['PHASE', 'ABORT']], /^UsageError: PHASE/],
      [jobs, [['EXECUTIONDURATION', 'ten']], /^UsageError: EXECUTIONDURATION/],
      [jobs, [['DESTRUCTION', '2030-13-01T00:00:00Z']], /^UsageError: DESTRUCTION/],
      [`${job}/parameters`, [['DURATION', 'x']], /^UsageError: DURATION/],
      [`${job}/phase`, [['PHASE', 'FINISH']], /^UsageError: PHASE/],
      [`${job}/phase`, [], /^UsageError: PHASE/],
      [`${job}/executionduration`, [['EXECUTIONDURATION', '-5']], /^UsageError/],
      [`${job}/destruction`, [['DESTRUCTION', 'tomorrow']], /^UsageError/],
      [job, [['PHASE', 'RUN']], /^UsageError: POST to a job URL takes only ACTION=DELETE/],
      [job, [['ACTION', 'REMOVE']], /^UsageError/],
    ];
    for (const [url, form, message] of cases) {
      const res = await postForm(url, form);
      expect([url.slice(jobs.length), form, res.status]).toEqual([url.slice(jobs.length), form, 400]);
      expect(await res.text()).toMatch(message);
    }
    expect((await getJob(job)).xml).toBe(before);
    expect((await getText(jobs)).body).toBe(listBefore);
    const put = await fetch(`${job}/phase`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('answers 404 for unknown jobs on every endpoint', async () => {
    for (const path of ['', '/phase', '/executionduration', '/destruction', '/error', '/quote', '/results', '/parameters', '/owner', '/results/result']) {
      expect([path, (await getText(`${jobs}/nosuchjob${path}`)).status]).toEqual([path, 404]);
    }
    expect((await postForm(`${jobs}/nosuchjob/phase`, { PHASE: 'RUN' })).status).toBe(404);
    expect((await fetch(`${jobs}/nosuchjob`, { method: 'DELETE', redirect: 'manual' })).status).toBe(404);
  });

  it('deletes with DELETE and with POST ACTION=DELETE: 303 to the job list, then 404', async () => {
    for (const del of [(u: string) => fetch(u, { method: 'DELETE', redirect: 'manual' }), (u: string) => postForm(u, { action: 'delete' })]) {
      const job = await createJob(jobs, { DURATION: '30', PHASE: 'RUN' });
      const res = await del(job);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`${jobs}?LAST=10`);
      expect((await getText(job)).status).toBe(404);
      expect((await getText(`${job}/phase`)).status).toBe(404);
    }
  });

  it('accepts multipart uploads as byReference parameters served under /parameters/<name>', async () => {
    const form = new FormData();
    form.append('DURATION', '0');
    form.append('UPLOAD', 'mytable,param:mytable');
    form.append('mytable', new Blob(['<VOTABLE/>'], { type: 'text/xml' }), 'mytable.xml');
    const res = await fetch(jobs, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(303);
    const job = res.headers.get('location')!;
    const { xml, job: doc } = await getJob(job);
    await expectValid(xml, 'uws');
    const upload = doc.parameters.parameter.find((p: { '@id': string }) => p['@id'] === 'MYTABLE');
    expect(upload['@byReference']).toBe('true');
    expect(upload['#text']).toBe(`${job}/parameters/mytable`);
    const content = await getText(upload['#text']);
    expect([content.status, content.body]).toEqual([200, '<VOTABLE/>']);
  });
});
