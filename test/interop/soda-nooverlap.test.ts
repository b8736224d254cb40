// SODA regions that select nothing, on a two-field simulated night through real HTTP (EXECUTOR=local): the
// combinations with no fibre in the region are known at planning (jobInfo says so while PENDING), no reduction
// step runs for their frames, and their results are declared text/plain, named .txt and served as SODA error
// labels; Debian's pyvo reads the job and its results (soda-nooverlap-pyvo.py).
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { separationDeg } from '../../src/cutout/geometry.js';
import { stepsOfJob } from '../../src/store/step-store.js';
import type { FrameRecord } from '../../src/domain/frame.js';
import { createJob, getJob, getText, postForm, waitFinal, type Doc } from '../integration/uws-helpers.js';
import { knownFibre } from '../integration/soda-fixture.js';
import { expectValid } from '../support/xsd.js';
import { simulatedArchive, startSodaApp, type SimulatedArchive, type SodaTestApp } from '../support/soda-app.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'soda-nooverlap-pyvo.py');

interface PyvoView {
  phase: string;
  results: Array<{ id: string; mime: string; status: number; content_type: string; text: string | null; bytes: number }>;
}

function pyvoRead(jobUrl: string): Promise<PyvoView> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', [script, jobUrl], { timeout: 120000, env: { ...process.env, NO_PROXY: '127.0.0.1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`pyvo script failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as PyvoView);
    });
  });
}

describe('SODA regions with no overlap: declared, honest and never reduced', () => {
  let archive: SimulatedArchive;
  let s: SodaTestApp;
  let jobs: string;
  let field0: FrameRecord;
  let field1: FrameRecord;
  // A small circle around a bright programme fibre of the first field.
  let circle: string;

  beforeAll(async () => {
    archive = await simulatedArchive({ fields: 2 });
    s = await startSodaApp(archive);
    jobs = `${s.url}/soda/async`;
    const objects = s.frames.filter((f) => f.ndfClass === 'MFOBJECT' && f.ccd === 1);
    field0 = objects.find((f) => f.cfgFile === archive.truth.fields[0].cfgFile)!;
    field1 = objects.find((f) => f.cfgFile === archive.truth.fields[1].cfgFile)!;
    const fibre = knownFibre(archive.truth);
    circle = `${fibre.raDeg} ${fibre.decDeg} 0.1`;
    // The premise: no targeted fibre of the second field lies in the circle.
    const near = archive.truth.fields[1].fibres.filter((f) => f.type !== 'U' && f.type !== 'N' && separationDeg(fibre.raDeg, fibre.decDeg, f.raDeg, f.decDeg) <= 0.1);
    expect(near).toEqual([]);
  }, 180000);
  afterAll(async () => {
    await s?.close();
    if (s) rmSync(s.config.dataDir, { recursive: true, force: true });
    if (archive) rmSync(archive.root, { recursive: true, force: true });
  });

  const results = (job: Doc): Doc[] => [job.results?.result ?? []].flat();
  const rawInputsOf = async (jobId: string) => (await stepsOfJob(s.db.pool, jobId)).flatMap((r) => r.spec.inputs.flatMap((i) => (i.kind === 'raw' ? [i.frameId] : [])));

  it('says before running that a frame has no fibre in the region, runs no step, and completes with one text/plain entry pyvo reads', async () => {
    const jobUrl = await createJob(jobs, [['ID', field1.id], ['CIRCLE', circle], ['ARMS', 'blue']]);
    const pending = await getJob(jobUrl);
    await expectValid(pending.xml, 'uws');
    expect(pending.job.phase).toBe('PENDING');
    expect(pending.xml).toContain(`<soda:id value="${field1.id}" noData="true">no fibre of ${field1.fileName} has its target inside CIRCLE ${circle}</soda:id>`);
    // Nothing to plan: no plan element, so no step either.
    expect(pending.xml).not.toContain('<plan:plan');
    expect(pending.xml).not.toContain('<plan:summary');

    expect((await postForm(`${jobUrl}/phase`, { PHASE: 'RUN' })).status).toBe(303);
    expect(await waitFinal(jobUrl, 60)).toBe('COMPLETED');
    const done = await getJob(jobUrl);
    await expectValid(done.xml, 'uws');
    const jobId = jobUrl.split('/').pop()!;
    expect(await stepsOfJob(s.db.pool, jobId)).toEqual([]);
    const rs = results(done.job);
    // One ID x one region: exactly one entry, named and declared as what it is.
    expect(rs.map((r: Doc) => [r['@id'], r['@mime-type']])).toEqual([[`${field1.night}_ccd1_${String(field1.run).padStart(4, '0')}.txt`, 'text/plain']]);
    const got = await getText(rs[0]['@href']);
    expect(got.type).toMatch(/^text\/plain/);
    expect(got.body).toBe(`UsageError: no data: no fibre of ${field1.fileName} has its target inside CIRCLE ${circle}\n`);

    const py = await pyvoRead(jobUrl);
    expect(py.phase).toBe('COMPLETED');
    expect(py.results).toEqual([{ id: rs[0]['@id'], mime: 'text/plain', status: 200, content_type: expect.stringMatching(/^text\/plain/), text: got.body, bytes: Buffer.byteLength(got.body) }]);
  }, 120000);

  it('reduces only the frame whose fibres reach the region when one ID overlaps and one does not', async () => {
    const jobUrl = await createJob(jobs, [['ID', field0.id], ['ID', field1.id], ['CIRCLE', circle], ['ARMS', 'blue'], ['COMBINE', 'false'], ['SPLICE', 'false']]);
    const pending = await getJob(jobUrl);
    expect(pending.xml).toContain(`<soda:id value="${field0.id}"/>`);
    expect(pending.xml).toContain(`<soda:id value="${field1.id}" noData="true">`);
    expect(pending.xml).toContain('<plan:summary');
    // The full plan ({job}/plan) reads the overlapping frame and never the other one.
    const plan = await (await fetch(`${jobUrl}/plan`, { signal: AbortSignal.timeout(30000) })).text();
    expect(plan).toContain(`<plan:input kind="raw" frameId="${field0.id}"`);
    expect(plan).not.toContain(`frameId="${field1.id}"`);

    expect((await postForm(`${jobUrl}/phase`, { PHASE: 'RUN' })).status).toBe(303);
    expect(await waitFinal(jobUrl, 300)).toBe('COMPLETED');
    const jobId = jobUrl.split('/').pop()!;
    const steps = await stepsOfJob(s.db.pool, jobId);
    expect(steps.every((r) => r.state === 'done')).toBe(true);
    expect(steps.map((r) => r.operation)).toContain('reduce_object');
    const raw = await rawInputsOf(jobId);
    expect(raw).toContain(field0.id);
    expect(raw).not.toContain(field1.id);

    const rs = results((await getJob(jobUrl)).job);
    expect(rs.map((r: Doc) => [r['@id'], r['@mime-type']])).toEqual([
      [expect.stringMatching(new RegExp(`^${field0.night}_ccd1_\\d{4}_${field0.fileName.replace(/\.fits$/, '')}red\\.fits$`)), 'application/fits'],
      [expect.stringMatching(/^2026-03-14_ccd1_\d{4}\.txt$/), 'text/plain'],
    ]);
    const fits = await fetch(rs[0]['@href']);
    expect(fits.headers.get('content-type')).toMatch(/^application\/fits/);
    expect(Buffer.from(await fits.arrayBuffer()).subarray(0, 6).toString('latin1')).toBe('SIMPLE');
    expect((await getText(rs[1]['@href'])).body).toMatch(/^UsageError: no data: no fibre of /);
  }, 400000);
});
