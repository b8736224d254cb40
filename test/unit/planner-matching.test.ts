// Calibration matching on simulated nights: observing blocks, documented fallbacks (with warnings), missing
// calibrations (UsageError naming them), darks matched by exposure, offset skies and long-slit flats.
import type { FrameRecord } from '../../src/domain/frame.js';
import type { Plan } from '../../src/domain/plan.js';
import { ServiceError } from '../../src/errors.js';
import { createPlan } from '../../src/planner/plan.js';
import type { PlanOptionsInput } from '../../src/planner/options.js';
import { buildNight, dropFrames, frameIdOf, loadPresets, type FieldSpec, type NightSpec } from './planner-fixture.js';
import { testPipeline } from '../support/fake-plan.js';

const presets = loadPresets();
const night = '2014-09-26';
const fieldA: FieldSpec = { cfgFile: 'G23_Y7_015_p0.sds', plate: 0, raDeg: 348.5, decDeg: -32.5, sequence: ['flat', 'arc', 'object', 'object'] };

function plan(frames: FrameRecord[], runs: number[], options: PlanOptionsInput = { arms: 'blue' }): Plan {
  return createPlan({ pipeline: testPipeline, frames, request: { frameIds: runs.map((r) => frameIdOf(night, 1, r)) }, options, presets });
}

const step = (p: Plan, label: string) => {
  const s = p.steps.find((x) => x.label === label);
  if (!s) throw new Error(`no step ${label} in ${p.steps.map((x) => x.label).join(', ')}`);
  return s;
};
/** The value after an option in a step's argv. */
const opt = (argv: string[], name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);

function usageMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).label).toBe('UsageError');
    return (e as ServiceError).message;
  }
  throw new Error('expected a UsageError');
}

const spec = (s: Partial<NightSpec>): NightSpec => ({ night, calibrations: ['bias', 'bias'], fields: [fieldA], ...s });

describe('planner: calibration matching', () => {
  it('falls back to a flat and arc of another configuration on the same plate, with warnings', () => {
    // Field C (plate 0, runs 7-8) has no flat or arc of its own.
    const frames = buildNight(spec({ fields: [fieldA, { cfgFile: 'G23_Y7_017_p0.sds', plate: 0, raDeg: 352, decDeg: -31, sequence: ['object', 'object'] }] }));
    const p = plan(frames, [7]);
    const argv = step(p, 'reduce_object 26sep10007.fits').argv;
    expect([opt(argv, '-TLMAP_FILENAME'), opt(argv, '-WAVEL_FILENAME'), opt(argv, '-FFLAT_FILENAME')]).toEqual(['26sep10003tlm.fits', '26sep10004red.fits', '26sep10003red.fits']);
    expect(p.warnings.filter((w) => w.code.endsWith('_FALLBACK')).map((w) => w.code)).toEqual(['ARC_FALLBACK', 'FLAT_FALLBACK']);
    expect(p.warnings.find((w) => w.code === 'FLAT_FALLBACK')!.message).toMatch(
      /^26sep10007\.fits: no fibre flat \(MFFFF\) for G23_Y7_017_p0\.sds plate 0 on 2014-09-26; nearest on the same plate from configuration G23_Y7_015_p0\.sds/,
    );
    expect(p.calibrations.find((c) => c.fileName === '26sep10007.fits' && c.role === 'fflat')!.fallback).toBe(true);
  });

  it("uses another observing block's flat of the same configuration when the block has none", () => {
    // The same configuration again after field B: the second visit (runs 10-11) took no flat or arc.
    const fieldB: FieldSpec = { cfgFile: 'G23_Y7_016_p1.sds', plate: 1, raDeg: 350, decDeg: -33, sequence: ['flat', 'arc', 'object'] };
    const frames = buildNight(spec({ fields: [fieldA, fieldB, { ...fieldA, sequence: ['object', 'object'] }] }));
    const p = plan(frames, [11]);
    expect(opt(step(p, 'reduce_object 26sep10011.fits').argv, '-FFLAT_FILENAME')).toBe('26sep10003red.fits');
    expect(p.warnings.find((w) => w.code === 'FLAT_FALLBACK')!.message).toMatch(
      /^26sep10011\.fits: no fibre flat \(MFFFF\) in the observing block; nearest of the same configuration \(G23_Y7_015_p0\.sds plate 0\) from another block \(\d+\.\d min before\)$/,
    );
  });

  it('refuses with a UsageError naming every missing calibration when no fallback exists', () => {
    const frames = dropFrames(buildNight(spec({ fields: [fieldA, { cfgFile: 'G23_Y7_016_p1.sds', plate: 1, raDeg: 350, decDeg: -33, sequence: ['arc', 'object'] }] })), ['26sep10004.fits']);
    // The object's missing arc stops its planning before its flat's (equally missing) arc is looked for.
    const message = usageMessage(() => plan(frames, [5, 8]));
    expect(message).toBe(
      'cannot plan the reduction: ' +
        'no arc (MFARC) for 26sep10005.fits: needs blue arm, 580V 4800.0A NORMAL, night 2014-09-26, plate 0; ' +
        'no fibre flat (MFFFF) for 26sep10008.fits: needs blue arm, 580V 4800.0A NORMAL, night 2014-09-26, plate 1',
    );
  });

  it('reduces with the overscan only when a night has no biases, and without darks or long-slit flats', () => {
    const p = plan(buildNight(spec({ calibrations: [] })), [3]);
    const argv = step(p, 'reduce_object 26sep10003.fits').argv;
    expect(argv.slice(10, 16)).toEqual(['-USEBIASIM', '0', '-USEDARKIM', '0', '-USEFLATIM', '0']);
    expect(p.warnings.map((w) => w.code)).toEqual(['NO_BIAS', 'NO_DARK', 'NO_LFLAT', 'NO_OFFSKY']);
    expect(p.warnings[0].message).toBe('no BIAS frames on 2014-09-26 for the blue arm (NORMAL readout): bias from the overscan only (-USEBIASIM 0)');
    expect(p.steps.map((s) => s.operation)).toEqual(['make_tlm', 'reduce_arc', 'reduce_fflat', 'reduce_object']);
  });

  it('matches the dark closest in exposure (ties to the longer) and uses a single dark as reduced', () => {
    const darks = [600, 600, 1800, 1800].map((exposedS) => ({ kind: 'dark' as const, exposedS }));
    const frames = buildNight(spec({ calibrations: ['bias', ...darks], fields: [{ ...fieldA, sequence: ['flat', 'arc', 'object'] }, { ...fieldA, cfgFile: 'X_p0.sds', sequence: ['flat', 'arc', 'object'], objectExposureS: 700 }] }));
    const p = plan(frames, [8, 11]);
    expect(opt(step(p, 'reduce_object 26sep10008.fits').argv, '-DARK_FILENAME')).toBe('DARKcombined1800.fits');
    expect(opt(step(p, 'reduce_object 26sep10011.fits').argv, '-DARK_FILENAME')).toBe('DARKcombined600.fits');
    // A flat (6 s) takes the 600 s darks; the single bias frame is used without combining.
    expect(opt(step(p, 'make_tlm 26sep10006.fits').argv, '-DARK_FILENAME')).toBe('DARKcombined600.fits');
    expect(opt(step(p, 'reduce_dark 26sep10002.fits').argv, '-BIAS_FILENAME')).toBe('26sep10001red.fits');
    expect(p.steps.filter((s) => s.operation === 'combine_image').map((s) => s.label)).toEqual([
      `combine_image DARKcombined1800.fits (${night} blue)`,
      `combine_image DARKcombined600.fits (${night} blue)`,
    ]);
  });

  it('uses an offset sky of the block for OFFSKY throughput, and long-slit flats when the night has them', () => {
    const frames = buildNight(spec({ calibrations: ['bias', 'bias', 'lflat', 'lflat'], fields: [{ ...fieldA, sequence: ['flat', 'arc', 'sky', 'object'] }] }));
    const p = plan(frames, [8]);
    const obj = step(p, 'reduce_object 26sep10008.fits');
    expect(obj.argv.slice(-8)).toEqual(['-EXTR_OPERATION', 'GAUSS', '-SKYSUB', '1', '-TPMETH', 'OFFSKY', '-THPUT_FILENAME', '26sep10007red.fits']);
    expect([opt(obj.argv, '-USEFLATIM'), opt(obj.argv, '-LFLAT_FILENAME')]).toEqual(['1', 'LFLATcombined.fits']);
    expect(obj.inputs.map((i) => i.fileName)).toEqual(['26sep10008.fits', '26sep10005tlm.fits', '26sep10006red.fits', '26sep10005red.fits', 'BIAScombined.fits', 'LFLATcombined.fits', '26sep10007red.fits']);
    expect(step(p, 'reduce_sky 26sep10007.fits').argv).toEqual([
      'reduce_sky', '26sep10007.fits', '-idxfile', 'aaomega_580V.idx', '-TLMAP_FILENAME', '26sep10005tlm.fits', '-WAVEL_FILENAME', '26sep10006red.fits', '-FFLAT_FILENAME', '26sep10005red.fits',
      '-USEBIASIM', '1', '-BIAS_FILENAME', 'BIAScombined.fits', '-USEDARKIM', '0', '-USEFLATIM', '1', '-LFLAT_FILENAME', 'LFLATcombined.fits', '-EXTR_OPERATION', 'GAUSS',
    ]);
    expect(step(p, 'reduce_lflat 26sep10003.fits').argv).toEqual(['reduce_lflat', '26sep10003.fits', '-idxfile', 'aaomega_580V.idx', '-USEBIASIM', '1', '-BIAS_FILENAME', 'BIAScombined.fits', '-USEDARKIM', '0', '-USEFLATIM', '0']);
    expect(p.warnings.map((w) => w.code)).toEqual(['NO_DARK']);
  });
});
