// `drsoda plan`: real FITS files ingested into a real database, then planned by frame and field IDs from the
// command line (text, JSON and XML), and refused with one line for what cannot be planned.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { runDrsoda } from '../support/process.js';
import { writeRawFrame } from './archive-fixture.js';

const did = (local: string) => `ivo://drsoda.example.org/aat?2014-09-26/${local}`;

describe('drsoda plan', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-plan-cli-'));
    const root = path.join(dir, 'archive');
    // Per arm: two biases, then field G23_Y7_015 on plate 0: flat, arc, two objects (1800 s), 3 minutes apart.
    const runs = [
      { run: 1, ndfClass: 'BIAS', cfg: '', cards: { EXPOSED: 0, FLAPS: 'CLOSED' } },
      { run: 2, ndfClass: 'BIAS', cfg: '', cards: { EXPOSED: 0, FLAPS: 'CLOSED' } },
      { run: 3, ndfClass: 'MFFFF', cards: { EXPOSED: 6, FLAPS: 'CLOSED', LAMPNAME: '75W' } },
      { run: 4, ndfClass: 'MFARC', cards: { EXPOSED: 45, FLAPS: 'CLOSED', LAMPNAME: 'CuAr' } },
      { run: 5, ndfClass: 'MFOBJECT', cards: {} },
      { run: 6, ndfClass: 'MFOBJECT', cards: {} },
    ];
    for (const ccd of [1, 2] as const) {
      for (const r of runs) await writeRawFrame(root, { ccd, run: r.run, ndfClass: r.ndfClass, cfg: r.cfg, cards: { ...r.cards, UTMJD: 56926.4 + r.run * 0.002 } });
    }
    env = { DATABASE_URL: db.url, ARCHIVE_ROOT: root, LOG_LEVEL: 'warn', DATA_DIR: path.join(dir, 'data') };
    const ingest = await runDrsoda(['ingest'], env);
    expect(ingest.stderr).toBe('');
    expect(ingest.stdout).toMatch(/12 added/);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('prints the steps and aaorun command lines for a field ID', async () => {
    const r = await runDrsoda(['plan', did('field/G23_Y7_015_p0')], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').map((l) => l.trim());
    // Tiny 32 x 20 test frames: each step costs the 1 s aaorun start-up; the longest chain has 8 steps
    // (bias, combine, TLM, arc, flat, object, combine_spectra, splice).
    expect(lines[0]).toMatch(/^plan: 19 steps, estimated 19 s on one core, 8 s with unlimited parallelism \(drsoda-2dfdr-/);
    expect(lines).toContain('night=2014-09-26 cfgFile=G23_Y7_015_p0 (field)');
    expect(lines).toContain(
      'aaorun reduce_object 26sep10005.fits -idxfile aaomega_580V.idx -TLMAP_FILENAME 26sep10003tlm.fits -WAVEL_FILENAME 26sep10004red.fits ' +
        '-FFLAT_FILENAME 26sep10003red.fits -USEBIASIM 1 -BIAS_FILENAME BIAScombined.fits -USEDARKIM 0 -USEFLATIM 0 -EXTR_OPERATION GAUSS -SKYSUB 1 ' +
        "-TPMETH 'SKYFLUX(MED)'",
    );
    expect(lines).toContain("aaorun splice '20140926_G23_Y7_015_p0_blue_combined.fits 20140926_G23_Y7_015_p0_red_combined.fits' -idxfile aaomega_580V.idx -OUTPUT_FILE 20140926_G23_Y7_015_p0_spliced.fits");
    expect(lines).toContain('warnings:');
  });

  it('prints JSON and well-formed XML with options applied', async () => {
    const json = await runDrsoda(['plan', did('ccd1/0005'), '--arms', 'blue', '--extraction', 'OPTEX', '--no-sky-subtraction', '--format', 'json'], env);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout);
    expect(plan.options).toMatchObject({ arms: 'blue', extraction: 'OPTEX', skySubtraction: false });
    expect(plan.steps.map((s: { label: string }) => s.label)).toEqual([
      'reduce_bias 26sep10001.fits', 'reduce_bias 26sep10002.fits', 'combine_image BIAScombined.fits (2014-09-26 blue)',
      'make_tlm 26sep10003.fits', 'reduce_arc 26sep10004.fits', 'reduce_fflat 26sep10003.fits', 'reduce_object 26sep10005.fits',
    ]);
    expect(plan.steps[0].inputs[0]).toMatchObject({ kind: 'raw', frameId: did('ccd1/0001'), relPath: '140926/ccd_1/26sep10001.fits' });
    expect(plan.steps[0].inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);

    const xml = await runDrsoda(['plan', did('ccd2/0006'), '--format', 'xml'], env);
    expect(xml.code).toBe(0);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'drsoda-plan-xml-')), 'plan.xml');
    writeFileSync(file, xml.stdout);
    const lint = await new Promise<string>((resolve) => execFile('xmllint', ['--nonet', '--noout', file], { timeout: 30000 }, (err, _o, e) => resolve(err ? e || String(err) : 'ok')));
    expect(lint).toBe('ok');
    expect(xml.stdout).toContain('<plan:arg>26sep20006.fits</plan:arg>');
  });

  it('applies SODA regions on the fibre tables: frames with no fibre inside are not planned and their IDs say "no data"', async () => {
    // The fixture's fibres lie near RA 348.36, Dec -32.49 (6.08 rad, -0.567 rad); nothing is near 10 10.
    const far = await runDrsoda(['plan', did('ccd1/0005'), did('field/G23_Y7_015_p0'), '--arms', 'blue', '--circle', '10 10 1'], env);
    expect([far.code, far.stderr]).toEqual([0, '']);
    expect(far.stdout).toBe(
      `no data (a text/plain result; nothing is reduced for it): ${did('ccd1/0005')}: no fibre of 26sep10005.fits has its target inside CIRCLE 10 10 1\n` +
        `no data (a text/plain result; nothing is reduced for it): ${did('field/G23_Y7_015_p0')}: no fibre of the 4 object exposure(s) of ${did('field/G23_Y7_015_p0')} has its target inside CIRCLE 10 10 1\n`,
    );
    const mixed = await runDrsoda(['plan', did('ccd1/0005'), '--arms', 'blue', '--format', 'json', '--circle', '10 10 1', '--circle', '348.36 -32.49 0.1'], env);
    expect(mixed.code).toBe(0);
    const j = JSON.parse(mixed.stdout) as { noData: unknown[]; plan: { steps: Array<{ operation: string }>; pipeline: { id: string } } };
    expect(j.noData).toEqual([]);
    expect(j.plan.steps.map((s) => s.operation)).toContain('reduce_object');
    expect(j.plan.pipeline.id).toMatch(/^(image|program) sha256:[0-9a-f]{64}$/);
    const bad = await runDrsoda(['plan', did('ccd1/0005'), '--circle', '10 10'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/CIRCLE/);
  });

  it('refuses what cannot be planned with one line and exit status 1', async () => {
    const missing = await runDrsoda(['plan', did('ccd1/0099')], env);
    expect([missing.code, missing.stderr]).toEqual([1, `drsoda: no frame ${did('ccd1/0099')} in the archive index\n`]);
    const night = await runDrsoda(['plan', 'ivo://drsoda.example.org/aat?2014-09-26'], env);
    expect(night.code).toBe(1);
    expect(night.stderr).toMatch(/^drsoda: ivo:\/\/drsoda\.example\.org\/aat\?2014-09-26 names a whole night/);
    const bias = await runDrsoda(['plan', did('ccd1/0005'), '--idx-preset', 'nope'], env);
    expect(bias.stderr).toBe('drsoda: unknown IDX_PRESET "nope"; available: aaomega, gama, ozdes\n');
  });
});
