// GET /api/fibres (target search) and GET /api/frame/header against real PostgreSQL and HTTP: names, cones
// (across RA 0/360 and at the poles, checked against a brute-force great-circle distance), DALI 400s, and an
// index that stays truthful when frames are re-ingested or their files vanish.
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../../src/archive/ingest.js';
import type { FibreHitJson, FibreSearchJson, FrameHeaderJson } from '../../src/domain/api-types.js';
import type { Fibre, FrameRecord } from '../../src/domain/frame.js';
import { createLogger } from '../../src/logger.js';
import { upsertFrame } from '../../src/store/frame-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { rawRelPath, writeRawFrame } from './archive-fixture.js';

const A = 'drsoda.example.org';
const rad = Math.PI / 180;

/** A synthetic object frame record: one CCD of one exposure of field cfg on night. */
function frame(night: string, run: number, ccd: 1 | 2, cfg: string, ndfClass = 'MFOBJECT'): FrameRecord {
  const relPath = `synthetic/${night}/${ccd}/${run}.fits`;
  return {
    id: `ivo://${A}/aat?${night}/ccd${ccd}/${String(run).padStart(4, '0')}`, fileName: `${run}.fits`, relPath, night, ccd,
    arm: ccd === 1 ? 'blue' : 'red', run, ndfClass, object: cfg, gratId: ccd === 1 ? '580V' : '385R', lambdaCAngstrom: 4800,
    dispersionAngstromPerPx: 1, speed: 'NORMAL', cfgFile: `${cfg}.sds`, plate: 0, exposedS: 1200, utMjd: 56926.5, utStart: '11:00:00',
    meanRaDeg: 0, meanDecDeg: 0, flaps: 'OPEN', lampName: '', naxis1: 10, naxis2: 10, sizeBytes: 1, sha256: '0'.repeat(64), mtime: new Date(0),
  };
}

const fibre = (n: number, name: string, raDeg: number, decDeg: number, type = 'P'): Fibre =>
  ({ fibre: n, name, type, raRad: raDeg * rad, decRad: decDeg * rad, pivot: n, magnitude: 18 + n / 10 });

/** Great-circle distance in degrees (Vincenty form, exact at all separations). */
function sep(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const [a1, d1, a2, d2] = [ra1, dec1, ra2, dec2].map((x) => x * rad);
  const dl = a2 - a1;
  const y = Math.hypot(Math.cos(d2) * Math.sin(dl), Math.cos(d1) * Math.sin(d2) - Math.sin(d1) * Math.cos(d2) * Math.cos(dl));
  return Math.atan2(y, Math.sin(d1) * Math.sin(d2) + Math.cos(d1) * Math.cos(d2) * Math.cos(dl)) / rad;
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('target search over the fibre tables', () => {
  let db: TestDatabase;
  let app: TestApp;
  let root: string;
  const cloud: Array<{ name: string; ra: number; dec: number }> = [];

  const search = async (q: string): Promise<{ status: number; body: FibreSearchJson; text: string }> => {
    const res = await fetch(`${app.url}/api/fibres?${q}`);
    const text = await res.text();
    return { status: res.status, text, body: res.status === 200 ? (JSON.parse(text) as FibreSearchJson) : (null as never) };
  };
  const names = (hits: FibreHitJson[]) => hits.map((h) => `${h.name}@${h.night}/${h.field}#${h.fibre}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    // Field A on two nights (two exposures x two arms on the first), with NGC 1365 in fibre 3.
    const fieldA = [fibre(1, 'Sky-1', 10, -30, 'S'), fibre(2, 'G12345', 10.01, -30.01), fibre(3, 'NGC 1365', 53.4015, -36.1404), fibre(4, 'Parked', 10, -30, 'U')];
    for (const run of [10, 11]) for (const ccd of [1, 2] as const) await upsertFrame(db.pool, '/synthetic', frame('2014-09-26', run, ccd, 'FA_p0'), fieldA);
    await upsertFrame(db.pool, '/synthetic', frame('2014-09-27', 5, 1, 'FA_p0'), fieldA);
    // The same fibre table on an arc: calibration frames are not search results.
    await upsertFrame(db.pool, '/synthetic', frame('2014-09-26', 9, 1, 'FA_p0', 'MFARC'), fieldA);
    // Field W straddles RA 0/360; field P sits on the south pole.
    await upsertFrame(db.pool, '/synthetic', frame('2014-09-28', 1, 1, 'FW_p0'), [
      fibre(1, 'wrap-east', 359.995, 1), fibre(2, 'wrap-west', 0.004, 1), fibre(3, 'wrap-far', 0.02, 1), fibre(4, 'ngc 1365 ghost', 180, 1),
    ]);
    await upsertFrame(db.pool, '/synthetic', frame('2014-09-29', 1, 1, 'FP_p0'), [
      fibre(1, 'pole-a', 0, -89.995), fibre(2, 'pole-b', 180, -89.996), fibre(3, 'pole-c', 90, -89.9), fibre(4, 'Name_with%wild', 45, -89.0),
    ]);
    // A random cloud for the brute-force comparison, dense near RA 0/360 and both poles.
    const next = rng(21);
    const rows: Fibre[] = [];
    for (let i = 1; i <= 400; i++) {
      const band = i % 4;
      const ra = band === 0 ? (next() - 0.5) * 2 : next() * 360;
      const dec = band === 1 ? 88 + next() * 2 : band === 2 ? -88 - next() * 2 : (next() - 0.5) * 10;
      const name = `cloud-${i}`;
      rows.push(fibre(i, name, (ra + 360) % 360, dec));
      cloud.push({ name, ra: (ra + 360) % 360, dec });
    }
    await upsertFrame(db.pool, '/synthetic', frame('2014-09-30', 1, 1, 'FC_p0'), rows);
    root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-fibre-search-'));
    app = await startTestApp(db.pool, { config: { ARCHIVE_ROOT: root } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('finds an object by name, case-insensitively, with its field, night and every object frame that holds it', async () => {
    const r = await search('name=ngc%201365');
    expect(r.status).toBe(200);
    expect(names(r.body.hits)).toEqual(['NGC 1365@2014-09-27/FA_p0#3', 'NGC 1365@2014-09-26/FA_p0#3', 'ngc 1365 ghost@2014-09-28/FW_p0#4']);
    const first = r.body.hits[1];
    expect(first).toMatchObject({ fieldId: `ivo://${A}/aat?2014-09-26/field/FA_p0`, type: 'P', pivot: 3, distanceArcsec: null, magnitude: 18.3 });
    expect(first.raDeg).toBeCloseTo(53.4015, 9);
    expect(first.decDeg).toBeCloseTo(-36.1404, 9);
    expect(first.frames.map((f) => `${f.run}/${f.arm}`)).toEqual(['10/blue', '10/red', '11/blue', '11/red']);
    expect(r.body).toMatchObject({ limit: 100, truncated: false });
    expect(names((await search('NAME=NGC%201365&MATCH=exact')).body.hits)).toEqual(['NGC 1365@2014-09-27/FA_p0#3', 'NGC 1365@2014-09-26/FA_p0#3']);
    expect(names((await search('name=ngc&match=PREFIX&limit=1')).body.hits)).toHaveLength(1);
    expect((await search('name=ngc&match=prefix&limit=1')).body.truncated).toBe(true);
    expect((await search('name=1365&match=prefix')).body.hits).toEqual([]);
  });

  it('matches LIKE wildcards in a name literally', async () => {
    expect(names((await search(`name=${encodeURIComponent('with%wild')}`)).body.hits)).toEqual(['Name_with%wild@2014-09-29/FP_p0#4']);
    expect((await search(`name=${encodeURIComponent('%%%')}`)).body.hits).toEqual([]);
    expect(names((await search(`name=${encodeURIComponent('e_w')}`)).body.hits)).toEqual(['Name_with%wild@2014-09-29/FP_p0#4']);
    expect((await search(`name=${encodeURIComponent('wrap_')}`)).body.hits).toEqual([]);
  });

  it('answers a cone nearest first, with the exact distance, never unallocated fibres', async () => {
    const r = await search('RA=10.005&DEC=-30.005&SR=0.02');
    expect(names(r.body.hits)).toEqual(['G12345@2014-09-27/FA_p0#2', 'G12345@2014-09-26/FA_p0#2', 'Sky-1@2014-09-27/FA_p0#1', 'Sky-1@2014-09-26/FA_p0#1']);
    expect(r.body.hits[0].distanceArcsec!).toBeCloseTo(sep(10.005, -30.005, 10.01, -30.01) * 3600, 6);
    // Name and cone together: both must hold.
    expect(names((await search('RA=10.005&DEC=-30.005&SR=0.02&NAME=sky&MATCH=prefix')).body.hits)).toEqual(['Sky-1@2014-09-27/FA_p0#1', 'Sky-1@2014-09-26/FA_p0#1']);
  });

  it('finds fibres across RA 0/360 from either side', async () => {
    for (const ra of ['0', '359.999', '360']) {
      const r = await search(`RA=${ra}&DEC=1&SR=0.01`);
      expect(r.body.hits.map((h) => h.name).sort()).toEqual(['wrap-east', 'wrap-west']);
    }
    expect((await search('RA=0.0&DEC=1&SR=0.03')).body.hits.map((h) => h.name).sort()).toEqual(['wrap-east', 'wrap-far', 'wrap-west']);
  });

  it('finds fibres around a pole at every RA', async () => {
    const r = await search('RA=270&DEC=-90&SR=0.006&NAME=pole-&MATCH=prefix');
    expect(r.body.hits.map((h) => h.name).sort()).toEqual(['pole-a', 'pole-b']);
    expect((await search('RA=0&DEC=-89.95&SR=0.12&NAME=pole-&MATCH=prefix')).body.hits.map((h) => h.name).sort()).toEqual(['pole-a', 'pole-b', 'pole-c']);
  });

  it('agrees with a brute-force great-circle search for random cones, near the wrap and the poles included', async () => {
    const next = rng(7);
    for (let i = 0; i < 60; i++) {
      const band = i % 3;
      const ra = band === 0 ? (next() < 0.5 ? next() * 1.5 : 360 - next() * 1.5) : next() * 360;
      const dec = band === 1 ? (next() < 0.5 ? 1 : -1) * (87.5 + next() * 2.5) : (next() - 0.5) * 10;
      const sr = 0.05 + next() * 1.95;
      const r = await search(`RA=${ra}&DEC=${dec}&SR=${sr}&LIMIT=1000&NAME=cloud-&MATCH=prefix`);
      expect(r.status).toBe(200);
      const got = r.body.hits.map((h) => h.name).sort();
      // Points within a micro-arcsecond of the edge may fall either way in floating point: leave them out.
      const want = cloud.filter((c) => sep(ra, dec, c.ra, c.dec) <= sr - 1e-9).map((c) => c.name);
      const edge = cloud.filter((c) => Math.abs(sep(ra, dec, c.ra, c.dec) - sr) < 1e-9).map((c) => c.name);
      expect(got.filter((n) => !edge.includes(n))).toEqual([...want].sort());
      const d = r.body.hits.map((h) => h.distanceArcsec!);
      expect(d).toEqual([...d].sort((a, b) => a - b));
    }
  });

  it('refuses bad input with a DALI UsageError naming the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['', /^UsageError: give NAME .* or RA, DEC and SR/],
      ['RA=10&DEC=-30', /^UsageError: a cone needs RA, DEC and SR together/],
      ['RA=400&DEC=0&SR=1', /^UsageError: RA must be a number of degrees in \[0, 360\] \(got "400"\)/],
      ['RA=10&DEC=-91&SR=1', /^UsageError: DEC must be/],
      ['RA=10&DEC=0&SR=0', /^UsageError: SR must be a number of degrees in \(0, 2\]/],
      ['RA=ten&DEC=0&SR=1', /^UsageError: RA must be/],
      ['NAME=ng', /^UsageError: NAME needs at least 3 characters/],
      ['NAME=ngc&MATCH=fuzzy', /^UsageError: MATCH must be substring, prefix or exact/],
      ['MATCH=exact&RA=1&DEC=1&SR=1', /^UsageError: MATCH needs NAME/],
      ['NAME=ngc&NAME=abc', /^UsageError: NAME takes one value/],
      ['NAME=ngc&LIMIT=0', /^UsageError: LIMIT must be an integer from 1 to 1000/],
      ['NAME=ngc&CIRCLE=1%201%201', /^UsageError: unknown parameter CIRCLE/],
    ];
    for (const [q, msg] of cases) {
      const r = await search(q);
      expect([q, r.status]).toEqual([q, 400]);
      expect(r.text).toMatch(msg);
    }
    expect((await fetch(`${app.url}/api/fibres?name=ngc`, { method: 'POST' })).status).toBe(405);
  });

  // From here on the archive is a real root: a whole-root ingest marks the synthetic frames (another root) missing.
  it('stays truthful: a re-ingested frame answers with its new fibres, a vanished one not at all; and serves its headers', async () => {
    const fixtureNight = '2015-01-02';
    await writeRawFrame(root, { night: fixtureNight, ccd: 1, run: 4, cfg: 'FX_p0.sds', object: 'FX', cards: { AIRMASS: 1.3 } });
    await ingestArchive({ pool: db.pool, root, authority: A, log: createLogger('silent') });
    const id = `ivo://${A}/aat?${fixtureNight}/ccd1/0004`;
    const hits = async () => (await search('NAME=G1001&MATCH=exact')).body.hits.filter((h) => h.night === fixtureNight);
    expect((await hits()).map((h) => h.field)).toEqual(['FX_p0']);
    // The same file rewritten with another configuration: the old field's fibres go.
    await writeRawFrame(root, { night: fixtureNight, ccd: 1, run: 4, cfg: 'FY_p0.sds', object: 'FY', cards: { UTSTART: '12:00:00' } });
    await ingestArchive({ pool: db.pool, root, authority: A, log: createLogger('silent') });
    expect((await hits()).map((h) => h.field)).toEqual(['FY_p0']);

    const hdr = await fetch(`${app.url}/api/frame/header?ID=${encodeURIComponent(id)}`);
    expect(hdr.status).toBe(200);
    const body = (await hdr.json()) as FrameHeaderJson;
    expect(body.hdus.map((h) => h.name)).toEqual(['PRIMARY', 'STRUCT.MORE.FIBRES', 'STRUCT.MORE.NDF_CLASS']);
    expect(body.hdus[0].cards).toContainEqual({ key: 'CFG_FILE', value: 'FY_p0.sds', comment: null });
    expect(body.hdus[0].cards.find((c) => c.key === 'NAXIS1')?.value).toBe(32);
    const frames = (await (await fetch(`${app.url}/api/frames?night=${fixtureNight}`)).json()) as { frames: Array<{ airmass: number | null; seeingArcsec: number | null }> };
    expect(frames.frames[0]).toMatchObject({ airmass: null, seeingArcsec: null });

    unlinkSync(path.join(root, rawRelPath(fixtureNight, 1, 4)));
    await ingestArchive({ pool: db.pool, root, authority: A, log: createLogger('silent') });
    expect(await hits()).toEqual([]);
    expect((await fetch(`${app.url}/api/frame/header?ID=${encodeURIComponent(id)}`)).status).toBe(404);
    const bad = await fetch(`${app.url}/api/frame/header`);
    expect([bad.status, await bad.text()]).toEqual([400, 'UsageError: ID parameter is required']);
  });

  it('records the airmass of a header that has one', async () => {
    await writeRawFrame(root, { night: '2015-01-03', ccd: 1, run: 1, cards: { AIRMASS: 1.3, SEEING: 1.8 } });
    await ingestArchive({ pool: db.pool, root, authority: A, log: createLogger('silent') });
    const frames = (await (await fetch(`${app.url}/api/frames?night=2015-01-03`)).json()) as { frames: Array<{ airmass: number | null; seeingArcsec: number | null }> };
    expect(frames.frames[0]).toMatchObject({ airmass: 1.3, seeingArcsec: 1.8 });
  });
});
