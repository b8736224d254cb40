import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../../src/archive/ingest.js';
import { createLogger } from '../../src/logger.js';
import { simulateNight, type NightTruth } from '../../src/simulate/index.js';
import { listFibres, listFrames } from '../../src/store/frame-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const A = 'drsoda.example.org';

describe('ingest of a simulated night', () => {
  let db: TestDatabase;
  let root: string;
  let truth: NightTruth;

  beforeAll(async () => {
    db = await createTestDatabase();
    root = path.join(mkdtempSync(path.join(os.tmpdir(), 'drsoda-night-')), 'archive');
    const s = await simulateNight({ outDir: root, night: '2015-03-14', size: 'small', seed: 7, fields: 2, objects: 2, biases: 1, darks: 1, lflats: 1 });
    truth = JSON.parse(readFileSync(s.truthFile, 'utf8'));
  });
  afterAll(async () => {
    await db.drop();
  });

  it('indexes every frame as the simulator made it, and a second ingest reads nothing', async () => {
    const r = await ingestArchive({ pool: db.pool, root, authority: A, log: createLogger('silent') });
    expect(r).toMatchObject({ scanned: 2 * truth.exposures.length, added: 2 * truth.exposures.length, failed: [], refused: [] });
    const { frames } = await listFrames(db.pool, {}, { limit: 1000, offset: 0 });
    expect(frames).toHaveLength(2 * truth.exposures.length);
    for (const f of frames) {
      const e = truth.exposures.find((x) => x.run === f.run)!;
      const arm = truth.arms[f.arm];
      const field = e.field === null ? null : truth.fields[e.field];
      expect(f.ccd).toBe(arm.ccd);
      expect(f.relPath).toBe(`150314/${e.files[f.arm]}`);
      expect(f.id).toBe(`ivo://${A}/aat?2015-03-14/ccd${arm.ccd}/${String(e.run).padStart(4, '0')}`);
      expect({ cls: f.ndfClass, object: f.object, exposed: f.exposedS, ut: f.utStart, grating: f.gratId, lambdaC: f.lambdaCAngstrom }).toEqual({
        cls: e.ndfClass, object: e.object, exposed: e.exposedS, ut: e.utStart, grating: arm.gratId, lambdaC: arm.lambdaCAngstrom,
      });
      expect(f.utMjd).toBeCloseTo(e.mjd, 9);
      expect(f.cfgFile).toBe(field?.cfgFile ?? '');
      expect(f.plate).toBe(field ? field.plate : null);
      if (field) {
        expect(f.meanRaDeg).toBeCloseTo(field.centreRaDeg, 9);
        expect(f.meanDecDeg).toBeCloseTo(field.centreDecDeg, 9);
      }
    }
    // Plates alternate between the two fields (2dF configures one plate while the other observes).
    expect(new Set(frames.filter((f) => f.ndfClass === 'MFOBJECT').map((f) => `${f.field}:${f.plate}`)).size).toBe(2);
    expect(await ingestArchive({ pool: db.pool, root, authority: A, log: createLogger('silent') })).toMatchObject({ unchanged: frames.length, added: 0, updated: 0 });
  });

  it('stores the 400-fibre table of a field frame as the simulator configured it', async () => {
    const { frames } = await listFrames(db.pool, { ndfClass: ['MFOBJECT'], ccd: [2] }, { limit: 1, offset: 0 });
    const e = truth.exposures.find((x) => x.run === frames[0].run)!;
    const fibres = await listFibres(db.pool, frames[0].id);
    const want = truth.fields[e.field!].fibres;
    expect(fibres).toHaveLength(400);
    for (const [i, f] of fibres.entries()) {
      expect({ fibre: f.fibre, name: f.name, type: f.type, pivot: f.pivot, magnitude: f.magnitude }).toEqual({
        fibre: want[i].fibre, name: want[i].name, type: want[i].type, pivot: want[i].pivot, magnitude: want[i].magnitude,
      });
      // RA/DEC are stored in radians as 2dF writes them; compare to the truth's degrees at double precision.
      if (Number.isFinite(f.raRad)) expect(f.raRad).toBeCloseTo((want[i].raDeg * Math.PI) / 180, 12);
    }
  });
});
