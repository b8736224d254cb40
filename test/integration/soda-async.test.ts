// /soda/async through real HTTP with the real engine and reducer (EXECUTOR=local) on a simulated night: the plan
// summary in jobInfo (and the plan at {job}/plan) while PENDING, one result per ID x product x region x band, FITS cuts that keep only the fibres in
// the region and the pixels in the band, VOTable results that pass XSD and votlint, "no data" results, aborts.
import { findHdu, readHeaders, readImage, readTable } from '../../src/fits/index.js';
import { separationDeg } from '../../src/cutout/geometry.js';
import { stepsOfJob } from '../../src/store/step-store.js';
import { createJob, getJob, getText, parseXml, postForm, waitFinal, type Doc } from './uws-helpers.js';
import { expectVotlintClean } from '../support/votlint.js';
import { until } from '../support/ops-receivers.js';
import { expectValid } from '../support/xsd.js';
import { simulatedArchive, startSodaApp, type SimulatedArchive, type SodaTestApp } from '../support/soda-app.js';
import { downloadTo, fibresWithin, knownFibre, objectFrame } from './soda-fixture.js';

describe('SODA async reductions', () => {
  let archive: SimulatedArchive;
  let s: SodaTestApp;
  let jobs: string;
  let objectId: string;

  beforeAll(async () => {
    archive = await simulatedArchive();
    s = await startSodaApp(archive);
    jobs = `${s.url}/soda/async`;
    objectId = objectFrame(s.frames, 1).id;
  }, 120000);
  afterAll(async () => {
    await s?.close();
  });

  const results = (job: Doc): Doc[] => job.results?.result ?? [];

  it('summarises the plan in jobInfo while PENDING, then cuts each product to the circle and the band', async () => {
    const fibre = knownFibre(archive.truth);
    const circle = `${fibre.raDeg} ${fibre.decDeg} 0.25`;
    const jobUrl = await createJob(jobs, [['ID', objectId], ['CIRCLE', circle], ['BAND', '5.0e-7 5.6e-7'], ['RUNID', 'soda-it']]);
    const pending = await getJob(jobUrl);
    await expectValid(pending.xml, 'uws');
    expect(pending.job.phase).toBe('PENDING');
    expect(pending.xml).toContain(`<plan:summary xmlns:plan="urn:drsoda:plan" xmlns:xlink="http://www.w3.org/1999/xlink" xlink:type="simple" xlink:href="${jobUrl}/plan"`);
    expect(pending.xml).toMatch(/<soda:id value="ivo:\/\/drsoda\.test\/aat\?2026-03-14\/ccd1\/\d{4}"\/>/);
    expect(pending.xml).toMatch(/<plan:product [^>]*kind="spliced"\/>/);
    expect((await getText(`${jobUrl}/plan`)).body).toContain('operation="splice"');

    expect((await postForm(`${jobUrl}/phase`, { PHASE: 'RUN' })).status).toBe(303);
    expect(await waitFinal(jobUrl, 300)).toBe('COMPLETED');
    const done = await getJob(jobUrl);
    await expectValid(done.xml, 'uws');
    const rs = results(done.job);
    // One object frame, both arms spliced: the blue and red reduced frames and the spliced one.
    expect(rs.map((r: Doc) => r['@id'])).toEqual([
      expect.stringMatching(/^2026-03-14_ccd1_\d{4}_14mar1\d{4}red\.fits$/),
      expect.stringMatching(/^2026-03-14_ccd1_\d{4}_14mar2\d{4}red\.txt$/),
      expect.stringMatching(/^2026-03-14_ccd1_\d{4}_.+spliced\.fits$/),
    ]);
    const inside = fibresWithin(archive.truth, fibre.raDeg, fibre.decDeg, 0.25);
    expect(inside.length).toBeGreaterThan(3);
    // The red arm starts above 5600 Angstrom: its result is the SODA "no data" answer, named and declared as text.
    expect(rs.map((r: Doc) => r['@mime-type'])).toEqual(['application/fits', 'text/plain', 'application/fits']);
    expect((await getText(rs[1]['@href'])).body).toMatch(/^UsageError: no data: BAND 5\.0e-7 5\.6e-7 \(metres\) does not overlap 14mar2\d{4}red\.fits, which covers 5\.6\d+e-7 to 8\.\d+e-7 m\n$/);
    for (const r of [rs[0], rs[2]]) {
      expect(r['@mime-type']).toBe('application/fits');
      expect(r['@href']).toBe(`${jobUrl}/results/${r['@id']}`);
      const file = await downloadTo(r['@href']);
      const hdus = await readHeaders(file);
      expect(Number(r['@size'])).toBeGreaterThan(0);
      // The 2dFdr HDU structure is kept.
      expect(hdus.map((h) => h.extname ?? 'PRIMARY')).toEqual(expect.arrayContaining(['PRIMARY', 'VARIANCE', 'FIBRES']));
      const fib = await readTable(file, findHdu(hdus, 'FIBRES')!);
      const names = fib.column('NAME')!.values.map(String).sort();
      expect(names).toEqual(inside);
      const ra = fib.column('RA')!.values as number[];
      const dec = fib.column('DEC')!.values as number[];
      ra.forEach((a, i) => expect(separationDeg(fibre.raDeg, fibre.decDeg, (a * 180) / Math.PI, (dec[i] * 180) / Math.PI)).toBeLessThanOrEqual(0.25));
      const h = hdus[0].header;
      const w0 = h.number('CRVAL1')! + (1 - h.number('CRPIX1')!) * h.number('CDELT1')!;
      const w1 = w0 + (h.number('NAXIS1')! - 1) * h.number('CDELT1')!;
      expect(w0).toBeGreaterThanOrEqual(5000);
      expect(w1).toBeLessThanOrEqual(5600);
      expect(w1 - w0).toBeGreaterThan(5600 - 5000 - 2 * h.number('CDELT1')! - 1e-6);
      expect(h.number('NAXIS2')).toBe(inside.length);
      const variance = await readImage(file, findHdu(hdus, 'VARIANCE')!);
      expect(variance.axes).toEqual([h.number('NAXIS1'), inside.length]);
      expect(h.historyLines()).toEqual(expect.arrayContaining([`CIRCLE=${circle}`, 'BAND=5.0e-7 5.6e-7']));
    }
  }, 400000);

  it('gives ID x region x band results, VOTables that validate, and "no data" results as text', async () => {
    const fibre = knownFibre(archive.truth);
    // NOTIFY_URL belongs to the notification wrapper around the runner: stored with the job, not a SODA parameter.
    const jobUrl = await createJob(jobs, [
      ['ID', objectId], ['ARMS', 'blue'], ['RESPONSEFORMAT', 'votable'], ['NOTIFY_URL', 'https://example.org/hook'],
      ['CIRCLE', `${fibre.raDeg} ${fibre.decDeg} 0.1`], ['POS', `CIRCLE ${(fibre.raDeg + 180) % 360} ${-fibre.decDeg} 0.1`],
      ['BAND', '4.5e-7 4.6e-7'], ['BAND', '9e-7 1e-6'], ['PHASE', 'RUN'],
    ]);
    expect(await waitFinal(jobUrl, 300)).toBe('COMPLETED');
    const rs = results((await getJob(jobUrl)).job);
    const base = objectId.replace(/^.*\?/, '').replace(/\//g, '_').replace('_ccd', '_ccd');
    expect(rs.map((r: Doc) => [r['@id'], r['@mime-type']])).toEqual([
      [expect.stringMatching(new RegExp(`^${base}_14mar1\\d{4}red_pos1_band1\\.vot$`)), 'application/x-votable+xml'],
      // BAND 2 misses the arm: found when cut, so the planned name with .txt.
      [expect.stringMatching(/_pos1_band2\.txt$/), 'text/plain'],
      // The second region holds no fibre of the frame: known at planning, one entry per band for the ID.
      [`${base}_pos2_band1.txt`, 'text/plain'],
      [`${base}_pos2_band2.txt`, 'text/plain'],
    ]);
    const vot = await getText(rs[0]['@href']);
    expect(vot.type).toMatch(/^application\/x-votable\+xml/);
    await expectValid(vot.body, 'votable');
    await expectVotlintClean(vot.body);
    const table = parseXml(vot.body).VOTABLE.RESOURCE.TABLE;
    const rows = [table.DATA.TABLEDATA.TR].flat();
    expect(rows.length).toBeGreaterThan(0);
    for (const tr of rows) {
      const td = tr.TD;
      const wl = String(td[5]).split(' ').map(Number);
      expect(Math.min(...wl)).toBeGreaterThanOrEqual(4500);
      expect(Math.max(...wl)).toBeLessThanOrEqual(4600);
      expect(String(td[6]).split(' ')).toHaveLength(wl.length);
      expect(separationDeg(fibre.raDeg, fibre.decDeg, Number(td[2]), Number(td[3]))).toBeLessThanOrEqual(0.1);
    }
    const band2 = await getText(rs[1]['@href']);
    expect(band2.type).toMatch(/^text\/plain/);
    expect(band2.body).toMatch(/^UsageError: no data: BAND 9e-7 1e-6 \(metres\) does not overlap 14mar1\d{4}red\.fits/);
    expect((await getText(rs[2]['@href'])).body).toMatch(/^UsageError: no data: no fibre of .* has its target inside CIRCLE/);
  }, 400000);

  it('rejects bad requests at creation with the SODA label and the parameter named', async () => {
    const cases: Array<[Array<[string, string]>, RegExp]> = [
      [[['ID', objectId], ['POL', 'I']], /^UsageError: POL: polarization is not offered/],
      [[['ID', objectId], ['BAND', '5e-7']], /^UsageError: BAND: an interval needs two numbers/],
      [[['ID', objectId], ['TIME', '1 2'], ['TIME', '3 4']], /^MultiValuedParamNotSupported: TIME may be given only once/],
      [[['ID', 'ivo://drsoda.test/aat?2026-03-14/ccd1/9999']], /^UsageError: ID: not in the archive: ivo:\/\/drsoda\.test\/aat\?2026-03-14\/ccd1\/9999/],
      [[['ID', 'ivo://elsewhere.org/aat?2026-03-14/ccd1/0001']], /^UsageError: ID .* belongs to authority elsewhere\.org/],
      [[['ID', objectId], ['EXTRACTION', 'BOXCAR']], /^UsageError: EXTRACTION: "BOXCAR" is not one of GAUSS, OPTEX, SMCOPTEX, TRAM/],
    ];
    for (const [form, message] of cases) {
      const res = await postForm(jobs, form);
      expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([400, 'text/plain; charset=utf-8', expect.stringMatching(message)]);
    }
  });

  it('re-describes a PENDING job when its parameters change, and refuses bad ones', async () => {
    const jobUrl = await createJob(jobs, [['ID', objectId], ['ARMS', 'blue']]);
    expect((await getJob(jobUrl)).xml).not.toContain('arm="red"');
    expect((await postForm(`${jobUrl}/parameters`, { ARMS: 'both' })).status).toBe(303);
    const both = await getJob(jobUrl);
    await expectValid(both.xml, 'uws');
    expect(both.xml).toMatch(/<plan:product [^>]*arm="red"[^>]*\/>/);
    expect(both.xml).toMatch(/<plan:product [^>]*kind="spliced"\/>/);
    expect((await getText(`${jobUrl}/plan`)).body).toContain('operation="splice"');
    const bad = await postForm(`${jobUrl}/parameters`, { ARMS: 'green' });
    expect([bad.status, await bad.text()]).toEqual([400, 'UsageError: ARMS: "green" is not one of blue, red, both']);
    expect((await getJob(jobUrl)).job.parameters.parameter.filter((p: Doc) => p['@id'] === 'ARMS').map((p: Doc) => p['#text'])).toEqual(['both']);
  });

  it('aborts a running reduction: the job ends ABORTED and its steps no other job needs are cancelled', async () => {
    // TRAM extraction is a reduction no other test asks for: its object steps are not cached.
    const jobUrl = await createJob(jobs, [['ID', objectId], ['EXTRACTION', 'TRAM'], ['THROUGHPUT', 'NONE'], ['PHASE', 'RUN']]);
    expect((await postForm(`${jobUrl}/phase`, { PHASE: 'ABORT' })).status).toBe(303);
    expect((await getJob(jobUrl)).job.phase).toBe('ABORTED');
    // The abort may overtake the runner's planning (then no step is attached) or its submit (then the runner
    // cancels what it attached): either way, nothing of the job is left to run once that and a running step
    // (killed by its worker) have settled.
    const jobId = jobUrl.split('/').pop()!;
    let steps = await stepsOfJob(s.db.pool, jobId);
    for (let i = 0; i < 100 && steps.some((x) => ['waiting', 'ready', 'running'].includes(x.state)); i++) {
      await new Promise((r) => setTimeout(r, 100));
      steps = await stepsOfJob(s.db.pool, jobId);
    }
    expect(steps.filter((x) => !['done', 'cancelled', 'failed'].includes(x.state)).map((x) => [x.label, x.state])).toEqual([]);
    expect(steps.filter((x) => x.operation === 'reduce_object').every((x) => x.state === 'cancelled')).toBe(true);
    expect((await until('the aborted phase', async () => (await getJob(jobUrl)).job.phase, (p) => p === 'ABORTED'))).toBe('ABORTED');
  });

  it('answers TIME outside every exposure of a field with a "no data" result, without reducing anything', async () => {
    const field = objectId.replace(/\/ccd1\/\d{4}$/, `/field/${encodeURIComponent(objectFrame(s.frames, 1).cfgFile.replace(/\.sds$/i, ''))}`);
    const jobUrl = await createJob(jobs, [['ID', field], ['TIME', '50000 50001'], ['PHASE', 'RUN']]);
    expect(await waitFinal(jobUrl, 30)).toBe('COMPLETED');
    const rs = results((await getJob(jobUrl)).job);
    expect(rs.map((r: Doc) => [r['@id'], r['@mime-type']])).toEqual([[expect.stringMatching(/^2026-03-14_.+\.txt$/), 'text/plain']]);
    expect((await getText(rs[0]['@href'])).body).toMatch(/^UsageError: no data: no object exposure of .* overlaps TIME 50000 50001/);
  });
});
