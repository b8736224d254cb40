import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../../src/archive/ingest.js';
import { createLogger } from '../../src/logger.js';
import { findFrame, listFibres, listFrames, tryLockIngest, unlockIngest } from '../../src/store/frame-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeRawFrame } from './archive-fixture.js';

const A = 'drsoda.example.org';
const log = createLogger('silent');

describe('archive ingest', () => {
  let db: TestDatabase;
  let root: string;
  const ingest = (o: { dir?: string; verify?: boolean } = {}) => ingestArchive({ pool: db.pool, root, authority: A, log, ...o });
  /** Every column of every row, ingested_at included, so "changes nothing" is checked literally. */
  const snapshot = async () => (await db.pool.query('select f.*, (select json_agg(x order by fibre) from frame_fibre x where x.frame_id = f.id) fib from frame f order by id')).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    root = path.join(mkdtempSync(path.join(os.tmpdir(), 'drsoda-ingest-')), 'archive');
    for (const ccd of [1, 2] as const) {
      await writeRawFrame(root, { ccd, run: 1, ndfClass: 'BIAS', cfg: '', cards: { SOURCE: null, MEANRA: null, MEANDEC: null } });
      await writeRawFrame(root, { ccd, run: 2, ndfClass: 'MFFFF' });
      await writeRawFrame(root, { ccd, run: 3, ndfClass: 'MFARC' });
      await writeRawFrame(root, { ccd, run: 4, ndfClass: 'MFOBJECT' });
      await writeRawFrame(root, { ccd, run: 5, ndfClass: 'MFOBJECT', cfg: 'G23_Y7_016_p1.sds', plate: 1, object: 'G23_Y7_016' });
    }
    // Not frames: a note beside them and a hidden temporary file of the simulator or an editor.
    writeFileSync(path.join(root, '140926/README.txt'), 'notes');
    writeFileSync(path.join(root, '140926/ccd_1/.26sep10009.fits.tmp'), 'partial');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('indexes every frame with its fibre table, then a second run changes nothing', async () => {
    const first = await ingest();
    expect(first).toMatchObject({ scanned: 10, added: 10, updated: 0, unchanged: 0, missing: 0, failed: [], refused: [] });
    const before = await snapshot();
    const second = await ingest();
    expect(second).toMatchObject({ scanned: 10, added: 0, updated: 0, unchanged: 10, missing: 0, failed: [] });
    expect(await snapshot()).toEqual(before);

    const f = await findFrame(db.pool, 'ivo://drsoda.example.org/aat?2014-09-26/ccd2/0005');
    expect(f).toMatchObject({ relPath: '140926/ccd_2/26sep20005.fits', arm: 'red', ndfClass: 'MFOBJECT', field: 'G23_Y7_016_p1', plate: 1, gratId: '385R', missingSince: null });
    expect(f!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const fibres = await listFibres(db.pool, f!.id);
    expect(fibres).toHaveLength(10);
    expect(fibres[4]).toMatchObject({ fibre: 5, type: 'S', name: 'Sky-4', magnitude: null });
    expect(fibres[7]).toMatchObject({ fibre: 8, type: 'U' });
    expect(Number.isNaN(fibres[7].raRad)).toBe(true);
    expect(fibres[9].pivot).toBe(0);
    const bias = await findFrame(db.pool, 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0001');
    expect(bias).toMatchObject({ ndfClass: 'BIAS', cfgFile: '', field: '', plate: null, meanRaDeg: null, exposedS: 0 });
  });

  it('re-reads a file whose content changed, and one whose mtime alone changed', async () => {
    const rel = '140926/ccd_1/26sep10004.fits';
    const id = 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0004';
    const old = await findFrame(db.pool, id);
    await writeRawFrame(root, { ccd: 1, run: 4, ndfClass: 'MFOBJECT', object: 'G23_Y7_015_repeat', cards: { EXPOSED: 1200 } });
    const r = await ingest();
    expect(r).toMatchObject({ added: 0, updated: 1, unchanged: 9, failed: [] });
    const now = await findFrame(db.pool, id);
    expect(now).toMatchObject({ relPath: rel, object: 'G23_Y7_015_repeat', exposedS: 1200 });
    expect(now!.sha256).not.toBe(old!.sha256);

    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(root, rel), later, later);
    expect(await ingest()).toMatchObject({ updated: 1, unchanged: 9 });
    expect((await findFrame(db.pool, id))!.mtime.getTime()).toBe(later.getTime());
  });

  it('with --verify finds an edit that kept size and mtime', async () => {
    const abs = path.join(root, '140926/ccd_1/26sep10003.fits');
    const id = 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0003';
    const before = await findFrame(db.pool, id);
    await writeRawFrame(root, { ccd: 1, run: 3, ndfClass: 'MFARC', cards: { LAMPNAME: 'FeAr' } });
    utimesSync(path.join(abs), before!.mtime, before!.mtime);
    expect(await ingest()).toMatchObject({ updated: 0, unchanged: 10 });
    expect(await ingest({ verify: true })).toMatchObject({ updated: 1, unchanged: 9 });
    expect((await findFrame(db.pool, id))!.lampName).toBe('FeAr');
  });

  it('marks a vanished file missing, keeps its row, and restores it when it returns', async () => {
    const abs = path.join(root, '140926/ccd_2/26sep20003.fits');
    const id = 'ivo://drsoda.example.org/aat?2014-09-26/ccd2/0003';
    renameSync(abs, `${abs}.away`);
    expect(await ingest()).toMatchObject({ scanned: 9, missing: 1 });
    expect((await findFrame(db.pool, id))!.missingSince).toBeInstanceOf(Date);
    expect((await listFrames(db.pool, {}, { limit: 100, offset: 0 })).total).toBe(9);
    expect(await ingest()).toMatchObject({ missing: 0 }); // counted once
    renameSync(`${abs}.away`, abs);
    expect(await ingest()).toMatchObject({ updated: 1, missing: 0 });
    expect((await findFrame(db.pool, id))!.missingSince).toBeNull();
  });

  it('follows a moved file, refuses a second copy of one exposure, and reports files that are not frames', async () => {
    const from = path.join(root, '140926/ccd_1/26sep10005.fits');
    const moved = path.join(root, 'moved/140926/ccd_1/26sep10005.fits');
    mkdirSync(path.dirname(moved), { recursive: true });
    renameSync(from, moved);
    const r = await ingest();
    expect(r).toMatchObject({ updated: 1, missing: 0, failed: [] });
    expect((await findFrame(db.pool, 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0005'))!.relPath).toBe('moved/140926/ccd_1/26sep10005.fits');

    copyFileSync(moved, from);
    writeFileSync(path.join(root, '140926/ccd_1/26sep10042.fits'), 'this is not FITS');
    const again = await ingest();
    expect(again.failed.map((f) => f.relPath).sort()).toEqual(['140926/ccd_1/26sep10005.fits', '140926/ccd_1/26sep10042.fits']);
    expect(again.failed.find((f) => f.relPath.endsWith('10005.fits'))!.error).toMatch(/same exposure as moved\/140926\/ccd_1\/26sep10005.fits/);
    rmSync(from);
    rmSync(path.join(root, '140926/ccd_1/26sep10042.fits'));
  });

  it('does not index symlinks that leave the root', async () => {
    const outside = path.join(path.dirname(root), 'outside');
    await writeRawFrame(outside, { ccd: 1, run: 77 });
    symlinkSync(path.join(outside, '140926/ccd_1/26sep10077.fits'), path.join(root, '140926/ccd_1/26sep10077.fits'));
    const r = await ingest();
    expect(r.refused).toEqual(['140926/ccd_1/26sep10077.fits']);
    expect(await findFrame(db.pool, 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0077')).toBeNull();
    rmSync(path.join(root, '140926/ccd_1/26sep10077.fits'));
  });

  it('ingests one folder alone without touching frames elsewhere, and refuses folders outside the root', async () => {
    await writeRawFrame(root, { night: '2014-09-27', ccd: 1, run: 1, ndfClass: 'BIAS' });
    const r = await ingest({ dir: path.join(root, '140927') });
    expect(r).toMatchObject({ scanned: 1, added: 1, missing: 0 });
    await expect(ingest({ dir: path.dirname(root) })).rejects.toMatchObject({ label: 'UsageError' });
  });

  it('lets one ingest run at a time: a second fails at once, or waits for the lock when asked to', async () => {
    const holder = await db.pool.connect();
    expect(await tryLockIngest(holder)).toBe(true);
    try {
      await expect(ingest()).rejects.toMatchObject({ label: 'ServiceUnavailable' });
      const waiting = ingestArchive({ pool: db.pool, root, authority: A, log, lockWaitMs: 10_000 });
      await new Promise((r) => setTimeout(r, 700));
      await unlockIngest(holder);
      await expect(waiting).resolves.toMatchObject({ failed: [] });
    } finally {
      holder.release();
    }
  });
});
