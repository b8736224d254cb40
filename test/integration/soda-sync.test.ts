// /soda/sync through real HTTP with the real engine and reducer: a request that waits for its reduction, the
// cached answer (no new job), FITS and VOTable bodies, 204 for no overlap, errors with SODA labels and DALI
// codes, and 503 + Retry-After while a reduction goes on elsewhere (a separate worker), then the cached retry.
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findHdu, readHeaders, readTable } from '../../src/fits/index.js';
import { listJobs } from '../../src/store/job-list-store.js';
import { separationDeg } from '../../src/cutout/geometry.js';
import { expectVotlintClean } from '../support/votlint.js';
import { expectValid } from '../support/xsd.js';
import { simulatedArchive, startSodaApp, startSodaWorker, type SimulatedArchive, type SodaTestApp } from '../support/soda-app.js';
import { fibresWithin, knownFibre, objectFrame } from './soda-fixture.js';
import { postForm } from './uws-helpers.js';

const sync = (base: string, pairs: Array<[string, string]>) => fetch(`${base}/soda/sync?${new URLSearchParams(pairs)}`);

async function fitsOf(res: Response): Promise<string> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'drsoda-sync-')), 'cut.fits');
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

describe('SODA sync', () => {
  let archive: SimulatedArchive;
  let a: SodaTestApp;
  let id: string;
  let circle: string;
  const syncJobs = async (s: SodaTestApp) => (await listJobs(s.db.pool, { kind: 'soda-sync', limit: 1000 })).length;

  beforeAll(async () => {
    archive = await simulatedArchive();
    a = await startSodaApp(archive, { config: { SODA_SYNC_WAIT_S: '120' } });
    id = objectFrame(a.frames, 1).id;
    const f = knownFibre(archive.truth);
    circle = `${f.raDeg} ${f.decDeg} 0.3`;
  }, 120000);
  afterAll(async () => {
    await a?.close();
  });

  it('waits for a reduction that finishes within SODA_SYNC_WAIT_S and answers with the cut FITS', async () => {
    const res = await sync(a.url, [['ID', id], ['CIRCLE', circle], ['BAND', '4.8e-7 6.2e-7']]);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/fits']);
    const file = await fitsOf(res);
    const hdus = await readHeaders(file);
    const names = (await readTable(file, findHdu(hdus, 'FIBRES')!)).column('NAME')!.values.map(String).sort();
    const f = knownFibre(archive.truth);
    expect(names).toEqual(fibresWithin(archive.truth, f.raDeg, f.decDeg, 0.3));
    // The spliced product spans both arms, so the band crosses the dichroic.
    const h = hdus[0].header;
    expect(h.string('CTYPE1')).toBe('Wavelength');
    const lo = h.number('CRVAL1')! + (1 - h.number('CRPIX1')!) * h.number('CDELT1')!;
    expect(lo).toBeGreaterThanOrEqual(4800);
    expect(lo + (h.number('NAXIS1')! - 1) * h.number('CDELT1')!).toBeLessThanOrEqual(6200);
    expect(await syncJobs(a)).toBe(1);
  }, 300000);

  it('answers from the cache without a new job, the same bytes for GET and POST', async () => {
    const params: Array<[string, string]> = [['ID', id], ['CIRCLE', circle], ['BAND', '4.8e-7 6.2e-7']];
    const get = await sync(a.url, params);
    const post = await postForm(`${a.url}/soda/sync`, params);
    expect([get.status, post.status]).toEqual([200, 200]);
    const [g, p] = [Buffer.from(await get.arrayBuffer()), Buffer.from(await post.arrayBuffer())];
    expect(g.equals(p)).toBe(true);
    expect(Number(get.headers.get('content-length'))).toBe(g.length);
    expect(await syncJobs(a)).toBe(1);
  });

  it('answers VOTable, as application/x-votable+xml or as text/xml when asked so (DALI)', async () => {
    const res = await sync(a.url, [['ID', id], ['CIRCLE', circle], ['BAND', '6.0e-7 6.1e-7'], ['RESPONSEFORMAT', 'application/x-votable+xml']]);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/x-votable+xml']);
    const xml = await res.text();
    await expectValid(xml, 'votable');
    await expectVotlintClean(xml);
    expect(xml).toContain('<INFO name="QUERY_STATUS" value="OK">');
    const f = knownFibre(archive.truth);
    const radec = [...xml.matchAll(/<TR><TD>\d+<\/TD><TD>[^<]*<\/TD><TD>([^<]+)<\/TD><TD>([^<]+)<\/TD>/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(radec).toHaveLength(fibresWithin(archive.truth, f.raDeg, f.decDeg, 0.3).length);
    for (const [ra, dec] of radec) expect(separationDeg(f.raDeg, f.decDeg, ra, dec)).toBeLessThanOrEqual(0.3);
    const asXml = await sync(a.url, [['ID', id], ['CIRCLE', circle], ['BAND', '6.0e-7 6.1e-7'], ['RESPONSEFORMAT', 'text/xml']]);
    expect([asXml.status, asXml.headers.get('content-type')]).toEqual([200, 'text/xml']);
    expect(await asXml.text()).toBe(xml);
  });

  it('answers 204 with an empty body when the cut holds no data', async () => {
    for (const extra of [[['BAND', '1.0e-6 1.1e-6']], [['CIRCLE', '10 10 0.1']], [['POS', 'RANGE 0 1 0 1']]] as Array<Array<[string, string]>>) {
      const res = await sync(a.url, [['ID', id], ...extra]);
      expect([res.status, await res.text()]).toEqual([204, '']);
      expect(res.headers.get('x-soda-no-data')).toMatch(/does not overlap|no fibre of/);
    }
  });

  it('answers 204 from the fibre table before reducing anything when the region holds no fibre of the frame', async () => {
    const before = await syncJobs(a);
    const steps = Number((await a.db.pool.query('select count(*) from step')).rows[0].count);
    // OPTEX: a reduction nobody has run yet; the archive's fibre table already says the circle is empty.
    const res = await sync(a.url, [['ID', id], ['CIRCLE', '10 10 0.1'], ['EXTRACTION', 'OPTEX']]);
    expect([res.status, await res.text()]).toEqual([204, '']);
    expect(res.headers.get('x-soda-no-data')).toMatch(/^no fibre of 14mar1\d{4}\.fits has its target inside CIRCLE 10 10 0\.1$/);
    expect(await syncJobs(a)).toBe(before);
    expect(Number((await a.db.pool.query('select count(*) from step')).rows[0].count)).toBe(steps);
  });

  it('gives text/plain errors starting with the SODA label, with DALI status codes', async () => {
    const cases: Array<[Array<[string, string]>, number, RegExp]> = [
      [[['ID', id], ['POL', 'I']], 400, /^UsageError: POL: polarization is not offered/],
      [[['ID', id], ['BAND', '1 2'], ['BAND', '3 4']], 400, /^MultiValuedParamNotSupported: BAND may be given only once in a synchronous request; use \/soda\/async/],
      [[['ID', id], ['ID', id.replace(/\d{4}$/, '0001')]], 400, /^MultiValuedParamNotSupported: ID may be given only once/],
      [[['ID', id], ['CIRCLE', '1 2']], 400, /^UsageError: CIRCLE: a circle needs three numbers/],
      [[['ID', id], ['RESPONSEFORMAT', 'image/png']], 400, /^UsageError: RESPONSEFORMAT: "image\/png" is not supported/],
      [[['ID', id], ['SPLICE', 'false']], 400, /^UsageError: ID .* gives 2 products \(14mar1\d{4}red\.fits, 14mar2\d{4}red\.fits\)/],
      [[['ID', id.replace(/\d{4}$/, '9999')]], 400, /^UsageError: ID: not in the archive/],
      [[['CIRCLE', circle]], 400, /^UsageError: ID: at least one non-empty ID is required/],
    ];
    for (const [params, status, message] of cases) {
      const res = await sync(a.url, params);
      expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([status, 'text/plain; charset=utf-8', expect.stringMatching(message)]);
    }
    const put = await fetch(`${a.url}/soda/sync?ID=${encodeURIComponent(id)}`, { method: 'PUT' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, HEAD, POST']);
  });

  it('serves a calibration frame whole, and refuses filters it cannot take', async () => {
    const bias = a.frames.find((f) => f.ndfClass === 'BIAS' && f.ccd === 1)!.id;
    // A calibration frame brings the same exposure of the other arm (two products): sync asks for one arm.
    const both = await sync(a.url, [['ID', bias]]);
    expect([both.status, await both.text()]).toEqual([400, expect.stringMatching(/^UsageError: ID .* gives 2 products \(14mar1\d{4}red\.fits, 14mar2\d{4}red\.fits\)/)]);
    const whole = await sync(a.url, [['ID', bias], ['ARMS', 'blue']]);
    expect([whole.status, whole.headers.get('content-type')]).toEqual([200, 'application/fits']);
    const hdus = await readHeaders(await fitsOf(whole));
    expect(hdus[0].header.number('NAXIS')).toBe(2);
    for (const [extra, message] of [
      [['BAND', '5e-7 6e-7'], /^UsageError: 14mar1\d{4}red\.fits has no linear wavelength axis: BAND does not apply to it$/],
      [['CIRCLE', circle], /^UsageError: 14mar1\d{4}red\.fits has no fibre table with one row per spectrum/],
      [['RESPONSEFORMAT', 'votable'], /^UsageError: 14mar1\d{4}red\.fits holds no fibre spectra on a wavelength axis: it is available as application\/fits only$/],
    ] as Array<[[string, string], RegExp]>) {
      const res = await sync(a.url, [['ID', bias], ['ARMS', 'blue'], extra]);
      expect([res.status, await res.text()]).toEqual([400, expect.stringMatching(message)]);
    }
  });

  it('answers 500 Error naming the failed step when the reduction fails', async () => {
    // A reducer that fails every step (exit status 1, no output): the job ends in ERROR at its first step.
    const broken = await startSodaApp(archive, { config: { AAORUN_COMMAND: 'false', STEP_MAX_ATTEMPTS: '1', SODA_SYNC_WAIT_S: '60' } });
    try {
      const res = await sync(broken.url, [['ID', id]]);
      expect([res.status, res.headers.get('content-type')]).toEqual([500, 'text/plain; charset=utf-8']);
      expect(await res.text()).toMatch(/^Error: the reduction failed: step \S+ .* failed after 1 attempt\(s\)/);
    } finally {
      await broken.close();
    }
  }, 120000);

  it('answers 503 with Retry-After while the reduction runs elsewhere, then the retry gets the cached product', async () => {
    // An API-only process (no worker) on the same database and files, waiting one second at most.
    const api = await startSodaApp(archive, { db: a.db, work: false, config: { DATA_DIR: a.config.dataDir, SODA_SYNC_WAIT_S: '1' } });
    let worker: { stop(): Promise<void> } | undefined;
    try {
      const params: Array<[string, string]> = [['ID', id], ['ARMS', 'blue'], ['SPLICE', 'false'], ['EXTRACTION', 'OPTEX'], ['CIRCLE', circle]];
      const busy = await sync(api.url, params);
      expect([busy.status, busy.headers.get('content-type')]).toEqual([503, 'text/plain; charset=utf-8']);
      expect(await busy.text()).toMatch(/^ServiceUnavailable: the reduction is running.*; retry in about \d+ s for the cached product$/);
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(5);
      // A worker elsewhere picks the steps up; the job finishes without anyone waiting for it.
      worker = await startSodaWorker(api);
      let res = busy;
      for (let i = 0; i < 120 && res.status === 503; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        res = await sync(api.url, params);
      }
      expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/fits']);
      const file = await fitsOf(res);
      const args = await readTable(file, findHdu(await readHeaders(file), 'REDUCTION_ARGS')!);
      const names = args.column('ARG_NAME')!.values.map(String);
      expect(args.column('ARG_VALUE')!.values[names.indexOf('EXTR_OPERATION')]).toBe('OPTEX');
    } finally {
      await worker?.stop();
      await api.close();
    }
  }, 300000);
});
