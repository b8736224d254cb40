// Result multiplicity and names of SODA requests (ID x product x region x band), the IDs' targets in a plan, and
// the one product a sync request answers with.
import type { Plan, TargetProduct } from '../../src/domain/plan.js';
import { ServiceError } from '../../src/errors.js';
import { resolveRef } from '../../src/soda/plan-request.js';
import { parseSodaRequest } from '../../src/soda/request.js';
import { mainProduct, plannedCuts } from '../../src/soda/result-names.js';

const A = 'drsoda.test';
const frame = `ivo://${A}/aat?2026-03-14/ccd1/0005`;
const field = `ivo://${A}/aat?2026-03-14/field/F260314_01_p0`;
const night = `ivo://${A}/aat?2026-03-14`;
const ref = (stepId: string, fileName: string, kind: TargetProduct['kind'], arm: TargetProduct['arm'] = 'blue'): TargetProduct => ({ stepId, fileName, kind, arm });

const plan = {
  targets: [
    { request: frame, kind: 'object', frameIds: [frame], products: [ref('a1', '14mar10005red.fits', 'reduced'), ref('a2', '14mar20005red.fits', 'reduced', 'red'), ref('a3', 'x_spliced.fits', 'spliced', 'both')] },
    { request: 'night=2026-03-14 cfgFile=F260314_01_p0.sds', kind: 'field', frameIds: [], products: [ref('a1', '14mar10005red.fits', 'reduced'), ref('b1', 'F_blue_combined.fits', 'combined')] },
  ],
} as unknown as Plan;

const ids = (list: string[], noData: Record<string, string> = {}) => list.map((id) => ({ id, ref: resolveRef(A, id), noData: noData[id] }));

describe('plannedCuts', () => {
  it('gives one result per ID x product x region x band, named by ID label, product and suffixes', () => {
    const req = parseSodaRequest([
      { name: 'ID', value: frame }, { name: 'ID', value: field },
      { name: 'CIRCLE', value: '1 2 3' }, { name: 'POS', value: 'CIRCLE 4 5 6' }, { name: 'BAND', value: '5e-7 6e-7' },
    ], 'async');
    expect(plannedCuts(req, ids(req.ids), plan).map((c) => c.resultId)).toEqual([
      '2026-03-14_ccd1_0005_14mar10005red_pos1.fits', '2026-03-14_ccd1_0005_14mar10005red_pos2.fits',
      '2026-03-14_ccd1_0005_14mar20005red_pos1.fits', '2026-03-14_ccd1_0005_14mar20005red_pos2.fits',
      '2026-03-14_ccd1_0005_x_spliced_pos1.fits', '2026-03-14_ccd1_0005_x_spliced_pos2.fits',
      // The field target shares the blue frame's product; it is the field's result too.
      '2026-03-14_F260314_01_p0_14mar10005red_pos1.fits', '2026-03-14_F260314_01_p0_14mar10005red_pos2.fits',
      '2026-03-14_F260314_01_p0_F_blue_combined_pos1.fits', '2026-03-14_F260314_01_p0_F_blue_combined_pos2.fits',
    ]);
  });

  it('matches night IDs to every field of the night, and gives IDs without data one text result each', () => {
    const req = parseSodaRequest([{ name: 'ID', value: night }, { name: 'ID', value: frame }, { name: 'RESPONSEFORMAT', value: 'votable' }], 'async');
    const cuts = plannedCuts(req, ids(req.ids, { [frame]: 'not exposed then' }), plan);
    expect(cuts.map((c) => [c.resultId, c.noData])).toEqual([
      ['2026-03-14_14mar10005red.vot', undefined],
      ['2026-03-14_F_blue_combined.vot', undefined],
      ['2026-03-14_ccd1_0005.txt', 'not exposed then'],
    ]);
  });
});

describe('mainProduct', () => {
  it('answers with the most processed product, and refuses a tie naming the products', () => {
    expect(mainProduct(plan.targets[0].products, frame).fileName).toBe('x_spliced.fits');
    const tie = [ref('a1', '14mar10005red.fits', 'reduced'), ref('a2', '14mar20005red.fits', 'reduced', 'red')];
    expect(() => mainProduct(tie, frame)).toThrow(ServiceError);
    expect(() => mainProduct(tie, frame)).toThrow(/gives 2 products \(14mar10005red\.fits, 14mar20005red\.fits\)/);
    // A fibre flat gives its tramline map and its reduced frame: the reduced frame is the answer.
    expect(mainProduct([ref('t', '14mar10003tlm.fits', 'tlm'), ref('r', '14mar10003red.fits', 'reduced')], frame).fileName).toBe('14mar10003red.fits');
  });
});
