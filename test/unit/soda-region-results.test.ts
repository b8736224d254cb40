// Which results a request with several regions gives when the frames behind an ID's products reach different
// regions (a night ID spanning two fields): a product is cut only with the regions its own frames reach, and a
// region no product reaches gives the ID one text/plain entry per band; pure.
import type { Plan, Step } from '../../src/domain/plan.js';
import { parseSodaRequest } from '../../src/soda/request.js';
import { missedRegions, plannedCuts } from '../../src/soda/result-names.js';
import { progenitorFrames } from '../../src/soda/region-overlap.js';
import { fakePlan } from '../support/fake-plan.js';

const night = '2026-03-14';
const nightId = `ivo://drsoda.test/aat?${night}`;
const frameA = `ivo://drsoda.test/aat?${night}/ccd1/0005`;
const frameB = `ivo://drsoda.test/aat?${night}/ccd1/0009`;

/** Two object reductions (one per field) reading a shared calibration, each its field's target. */
function twoFieldPlan(): Plan {
  const base = fakePlan([{ name: 'tlm' }]);
  const tlm = base.steps[0];
  const reduce = (id: string, frameId: string, file: string): Step => ({
    ...tlm,
    id,
    operation: 'reduce_object',
    label: `reduce_object ${file}`,
    inputs: [{ kind: 'raw', frameId, relPath: file, fileName: file, sha256: 'x' }, { kind: 'product', stepId: tlm.id, fileName: tlm.outputs[0] }],
    argv: ['reduce_object', file, '-idxfile', 'f.idx', '-TLMAP_FILENAME', tlm.outputs[0]],
    outputs: [file.replace('.fits', 'red.fits')],
    products: [file.replace('.fits', 'red.fits')],
    dependsOn: [tlm.id],
  });
  const a = reduce('a'.repeat(32), frameA, '14mar10005.fits');
  const b = reduce('b'.repeat(32), frameB, '14mar10009.fits');
  return {
    ...base,
    steps: [tlm, a, b],
    targets: [
      { request: `night=${night} cfgFile=F1.sds`, kind: 'field', frameIds: [frameA], products: [{ stepId: a.id, fileName: a.outputs[0], arm: 'blue', kind: 'reduced' }] },
      { request: `night=${night} cfgFile=F2.sds`, kind: 'field', frameIds: [frameB], products: [{ stepId: b.id, fileName: b.outputs[0], arm: 'blue', kind: 'reduced' }] },
    ],
  };
}

const req = parseSodaRequest(
  [{ name: 'ID', value: nightId }, { name: 'CIRCLE', value: '10 -30 0.5' }, { name: 'CIRCLE', value: '40 -30 0.5' }, { name: 'BAND', value: '4e-7 5e-7' }, { name: 'BAND', value: '5e-7 6e-7' }],
  'async',
);
const ids = [{ id: nightId, ref: { kind: 'night' as const, night } }];

describe('SODA results with regions tested at planning', () => {
  const plan = twoFieldPlan();

  it('follows a product to the raw frames of its file arguments, not its calibrations', () => {
    expect(progenitorFrames(plan, plan.targets[0].products[0])).toEqual([frameA]);
  });

  it('cuts each product only with the regions its frames reach, and leaves no gap when another product has data', () => {
    const cuts = plannedCuts(req, ids, plan, new Map([[frameA, new Set([0])], [frameB, new Set([1])]]));
    expect(cuts.map((c) => [c.resultId, c.product?.fileName ?? null])).toEqual([
      [`${night}_14mar10005red_pos1_band1.fits`, '14mar10005red.fits'],
      [`${night}_14mar10005red_pos1_band2.fits`, '14mar10005red.fits'],
      [`${night}_14mar10009red_pos2_band1.fits`, '14mar10009red.fits'],
      [`${night}_14mar10009red_pos2_band2.fits`, '14mar10009red.fits'],
    ]);
    expect(missedRegions(req, ids[0], plan, new Map([[frameA, new Set([0])], [frameB, new Set([1])]]))).toEqual([]);
  });

  it('gives a region no product reaches one .txt "no data" entry per band for the ID', () => {
    const regions = new Map([[frameA, new Set([0])], [frameB, new Set([0])]]);
    const cuts = plannedCuts(req, ids, plan, regions);
    expect(cuts.map((c) => [c.resultId, c.product?.fileName ?? null])).toEqual([
      [`${night}_14mar10005red_pos1_band1.fits`, '14mar10005red.fits'],
      [`${night}_14mar10005red_pos1_band2.fits`, '14mar10005red.fits'],
      [`${night}_14mar10009red_pos1_band1.fits`, '14mar10009red.fits'],
      [`${night}_14mar10009red_pos1_band2.fits`, '14mar10009red.fits'],
      [`${night}_pos2_band1.txt`, null],
      [`${night}_pos2_band2.txt`, null],
    ]);
    expect(cuts[4].noData).toBe(`no fibre of 14mar10005red.fits, 14mar10009red.fits of ${nightId} has its target inside CIRCLE 40 -30 0.5`);
  });

  it('cuts every product with every region when a frame has no known fibre table', () => {
    expect(plannedCuts(req, ids, plan, new Map([[frameA, new Set([0])]]))).toHaveLength(2 * 2 * 2 - 2);
    expect(plannedCuts(req, ids, plan)).toHaveLength(8);
  });
});
