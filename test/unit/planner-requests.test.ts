// Requests and options: calibration frames as targets, arms, unknown/unusable frames, duplicates in the index,
// per-exposure splicing, extraction/throughput/sky options and idx presets.
import type { Plan } from '../../src/domain/plan.js';
import { ServiceError } from '../../src/errors.js';
import { createPlan } from '../../src/planner/plan.js';
import type { PlanOptionsInput } from '../../src/planner/options.js';
import { buildNight, byFile, dropFrames, frameIdOf, loadPresets, patchFrames } from './planner-fixture.js';
import { testPipeline } from '../support/fake-plan.js';

const presets = loadPresets();
const night = '2014-09-26';
// Runs: 1-2 bias; field (plate 0): 3 flat, 4 arc, 5-6 objects.
const frames = buildNight({
  night,
  calibrations: ['bias', 'bias'],
  fields: [{ cfgFile: 'G23_Y7_015_p0.sds', plate: 0, raDeg: 348.5, decDeg: -32.5, sequence: ['flat', 'arc', 'object', 'object'] }],
});
const id = (ccd: 1 | 2, run: number) => frameIdOf(night, ccd, run);

function plan(frameIds: string[], options: PlanOptionsInput = {}, input = frames): Plan {
  return createPlan({ pipeline: testPipeline, frames: input, request: { frameIds }, options, presets });
}
const labels = (p: Plan) => p.steps.map((s) => s.label);
const objectArgv = (p: Plan, file: string) => p.steps.find((s) => s.label === `reduce_object ${file}`)!.argv;

function usage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).label).toBe('UsageError');
    return (e as ServiceError).message;
  }
  throw new Error('expected a UsageError');
}

describe('planner: requests', () => {
  it('reduces a requested calibration frame and only what it needs', () => {
    const arc = plan([id(1, 4)], { arms: 'blue' });
    expect(labels(arc)).toEqual(['reduce_bias 26sep10001.fits', 'reduce_bias 26sep10002.fits', `combine_image BIAScombined.fits (${night} blue)`, 'make_tlm 26sep10003.fits', 'reduce_arc 26sep10004.fits']);
    expect(arc.targets).toEqual([{ request: id(1, 4), kind: 'calibration', frameIds: [id(1, 4)], products: [{ stepId: arc.steps[4].id, fileName: '26sep10004red.fits', arm: 'blue', kind: 'reduced' }] }]);
    const flat = plan([id(2, 3)], { arms: 'red' });
    expect(flat.targets[0].products.map((p) => `${p.kind} ${p.fileName}`)).toEqual(['tlm 26sep20003tlm.fits', 'reduced 26sep20003red.fits']);
    expect(labels(plan([id(1, 1)], { arms: 'blue' }))).toEqual(['reduce_bias 26sep10001.fits']);
  });

  it('reduces both arms of a requested exposure and warns when one arm is missing', () => {
    const p = plan([id(1, 5)], {}, dropFrames(frames, ['26sep20005.fits']));
    expect(p.targets[0].frameIds).toEqual([id(1, 5)]);
    expect(p.warnings.find((w) => w.code === 'MISSING_ARM')!.message).toBe('no usable red-arm frame for run 5 of 2014-09-26 (26sep10005.fits): only the blue arm is reduced');
    expect(p.warnings.find((w) => w.code === 'NOT_SPLICED')!.message).toBe('20140926_G23_Y7_015_p0: not spliced: only the blue arm has object frames');
  });

  it('splices each exposure when not combining', () => {
    const p = plan([id(1, 5), id(2, 6)], { combine: false });
    expect(p.steps.filter((s) => s.operation === 'splice').map((s) => s.argv)).toEqual([
      ['splice', '26sep10005red.fits 26sep20005red.fits', '-idxfile', 'aaomega_580V.idx', '-OUTPUT_FILE', '26sep0005_spliced.fits'],
      ['splice', '26sep10006red.fits 26sep20006red.fits', '-idxfile', 'aaomega_580V.idx', '-OUTPUT_FILE', '26sep0006_spliced.fits'],
    ]);
    expect(p.targets[1].products.map((x) => x.fileName)).toEqual(['26sep10006red.fits', '26sep20006red.fits', '26sep0006_spliced.fits']);
  });

  it('names unknown, unusable and wrong-arm frames and empty fields in one UsageError', () => {
    const bad = patchFrames(frames, ['26sep10002.fits'], { exposedS: 30 });
    expect(usage(() => createPlan({ pipeline: testPipeline, frames: bad, request: { frameIds: ['ivo://x/nope', id(1, 2), id(2, 5)], fields: [{ night, cfgFile: 'nothing.sds' }] }, options: { arms: 'blue' }, presets }))).toBe(
      'no frame ivo://x/nope in the archive index; ' +
        `26sep10002.fits (${id(1, 2)}) cannot be reduced: BIAS with EXPOSED=30 s; ` +
        '26sep20005.fits is a red-arm frame but ARMS=blue; ' +
        'no object frames (MFOBJECT) on 2014-09-26 with CFG_FILE nothing.sds on the blue arm',
    );
    expect(usage(() => plan([]))).toBe('nothing to reduce: give at least one frame ID or a field (night and CFG_FILE)');
  });

  it('keeps one of two index records for the same exposure and reports the other', () => {
    const dup = { ...byFile(frames, '26sep10005.fits'), id: 'ivo://drsoda.example.org/aat?copy', relPath: 'zz/26sep10005.fits' };
    const p = plan([id(1, 5)], { arms: 'blue' }, [...frames, dup]);
    expect(p.ignored).toEqual([{ frameId: dup.id, fileName: '26sep10005.fits', ndfClass: 'MFOBJECT', reason: `duplicate of 26sep10005.fits (${id(1, 5)}): same night, CCD and run` }]);
    expect(p.steps.filter((s) => s.operation === 'reduce_object')).toHaveLength(1);
  });
});

describe('planner: options', () => {
  it('maps extraction, throughput and sky subtraction onto 2dfdr parameters and costs', () => {
    const gauss = plan([id(1, 5)], { arms: 'blue' });
    const optex = plan([id(1, 5)], { arms: 'blue', extraction: 'OPTEX', throughput: 'NONE', skySubtraction: false });
    expect(objectArgv(optex, '26sep10005.fits').slice(-6)).toEqual(['-EXTR_OPERATION', 'OPTEX', '-SKYSUB', '0', '-THRUPUT', '0']);
    expect(optex.steps.find((s) => s.operation === 'reduce_arc')!.argv.slice(-2)).toEqual(['-EXTR_OPERATION', 'GAUSS']);
    const cost = (p: Plan) => p.steps.find((s) => s.operation === 'reduce_object')!.estimatedCostS;
    expect([cost(gauss), cost(optex)]).toEqual([121, 481]); // 1 s start-up + 120 s GAUSS, 4x for OPTEX
    expect(objectArgv(plan([id(1, 5)], { arms: 'blue', throughput: 'SKYFLUX(COR)' }), '26sep10005.fits').slice(-2)).toEqual(['-TPMETH', 'SKYFLUX(COR)']);
    // Different options are different steps, with different ids; shared calibrations keep theirs.
    expect(objectArgv(gauss, '26sep10005.fits')).not.toEqual(objectArgv(optex, '26sep10005.fits'));
    const ids = (p: Plan, op: string) => p.steps.filter((s) => s.operation === op).map((s) => s.id);
    expect(ids(optex, 'reduce_object')).not.toEqual(ids(gauss, 'reduce_object'));
    expect(ids(optex, 'make_tlm')).toEqual(ids(gauss, 'make_tlm'));
  });

  it('writes the idx file of the chosen preset and grating', () => {
    const p = plan([id(1, 5)], { idxPreset: 'gama' });
    const idx = p.steps.find((s) => s.label === 'reduce_object 26sep20005.fits')!.idx;
    expect(idx.fileName).toBe('gama_red.idx');
    expect(idx.content.split('\n').slice(1, 4)).toEqual(['DRC_INCLUDE aaomega.idx', 'DRC_OVERRIDE_PAR OVERSCANORDER 9 REDUCE', 'DRC_OVERRIDE_PAR BIASOVSCAN TRUE REDUCE']);
    expect(objectArgv(p, '26sep10005.fits').slice(2, 4)).toEqual(['-idxfile', 'gama_blue.idx']);
  });

  it('rejects bad options and gratings the preset does not cover', () => {
    expect(usage(() => plan([id(1, 5)], { idxPreset: 'nope' }))).toBe('unknown IDX_PRESET "nope"; available: aaomega, gama, ozdes');
    expect(usage(() => plan([id(1, 5)], { extraction: 'BOXCAR' as never }))).toMatch(/^invalid reduction option extraction: /);
    const odd = patchFrames(frames, frames.filter((f) => f.ccd === 1).map((f) => f.fileName), { gratId: '1700B' });
    expect(usage(() => plan([id(1, 5)], { idxPreset: 'gama', arms: 'blue' }, odd))).toBe(
      'cannot plan the reduction: IDX_PRESET "gama" has no idx for grating "1700B"; presets that have one: aaomega',
    );
  });
});
