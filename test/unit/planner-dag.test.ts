// The planner on a simulated night: the exact DAG (every step, its dependencies and argv) for one field on both
// arms, with a reclassified bias, an ignored object, a second field on the other plate and a duplicated arc.
import type { FrameRecord } from '../../src/domain/frame.js';
import type { Plan } from '../../src/domain/plan.js';
import { createPlan } from '../../src/planner/plan.js';
import { planToJson } from '../../src/planner/render-json.js';
import { buildNight, frameIdOf, loadPresets, patchFrames } from './planner-fixture.js';
import { testPipeline } from '../support/fake-plan.js';

const presets = loadPresets();
const night = '2014-09-26';

/** Runs 1-3 bias (3 recorded as a 0 s DARK), 4-5 dark 1200 s; field A (plate 0) runs 6-10, field B (plate 1) 11-14. */
function exampleNight(): FrameRecord[] {
  let frames = buildNight({
    night,
    calibrations: ['bias', 'bias', 'bias', 'dark', 'dark'],
    fields: [
      { cfgFile: 'G23_Y7_015_p0.sds', plate: 0, raDeg: 348.5, decDeg: -32.5, sequence: ['flat', 'arc', 'object', 'object', 'object'] },
      { cfgFile: 'G23_Y7_016_p1.sds', plate: 1, raDeg: 350.1, decDeg: -33.0, sequence: ['flat', 'arc', 'arc', 'object'] },
    ],
  });
  frames = patchFrames(frames, ['26sep10003.fits', '26sep20003.fits'], { ndfClass: 'DARK', exposedS: 0 });
  frames = patchFrames(frames, ['26sep10010.fits', '26sep20010.fits'], { flaps: 'CLOSED' });
  return frames;
}

function dag(plan: Plan) {
  const label = new Map(plan.steps.map((s) => [s.id, s.label]));
  return plan.steps.map((s) => ({ label: s.label, after: s.dependsOn.map((d) => label.get(d)).sort(), argv: s.argv }));
}

/** The expected steps of one arm, in plan order, with {c} = CCD digit and {idx} = the arm's idx file. */
function armSteps(arm: 'blue' | 'red') {
  const c = arm === 'blue' ? '1' : '2';
  const idx = arm === 'blue' ? 'aaomega_580V.idx' : 'aaomega_385R.idx';
  const f = (run: number, suffix = '.fits') => `26sep${c}000${run}${suffix}`;
  const bias = `combine_image BIAScombined.fits (${night} ${arm})`;
  const dark = `combine_image DARKcombined1200.fits (${night} ${arm})`;
  const cals = ['-USEBIASIM', '1', '-BIAS_FILENAME', 'BIAScombined.fits', '-USEDARKIM', '1', '-DARK_FILENAME', 'DARKcombined1200.fits', '-USEFLATIM', '0'];
  const obj = (run: number) => ({
    label: `reduce_object ${f(run)}`,
    after: [bias, dark, `make_tlm ${f(6)}`, `reduce_arc ${f(7)}`, `reduce_fflat ${f(6)}`].sort(),
    argv: ['reduce_object', f(run), '-idxfile', idx, '-TLMAP_FILENAME', f(6, 'tlm.fits'), '-WAVEL_FILENAME', f(7, 'red.fits'), '-FFLAT_FILENAME', f(6, 'red.fits'),
      ...cals, '-EXTR_OPERATION', 'GAUSS', '-SKYSUB', '1', '-TPMETH', 'SKYFLUX(MED)'],
  });
  return {
    reduceBias: [1, 2, 3].map((r) => ({ label: `reduce_bias ${f(r)}`, after: [], argv: ['reduce_bias', f(r), '-idxfile', idx, '-USEBIASIM', '0', '-USEDARKIM', '0', '-USEFLATIM', '0'] })),
    combineBias: { label: bias, after: [1, 2, 3].map((r) => `reduce_bias ${f(r)}`), argv: ['combine_image', `${f(1, 'red.fits')} ${f(2, 'red.fits')} ${f(3, 'red.fits')}`, '-idxfile', idx, '-COMBINEDFILE', 'BIAScombined.fits'] },
    reduceDark: [4, 5].map((r) => ({ label: `reduce_dark ${f(r)}`, after: [bias], argv: ['reduce_dark', f(r), '-idxfile', idx, '-USEBIASIM', '1', '-BIAS_FILENAME', 'BIAScombined.fits', '-USEDARKIM', '0', '-USEFLATIM', '0'] })),
    combineDark: { label: dark, after: [`reduce_dark ${f(4)}`, `reduce_dark ${f(5)}`], argv: ['combine_image', `${f(4, 'red.fits')} ${f(5, 'red.fits')}`, '-idxfile', idx, '-COMBINEDFILE', 'DARKcombined1200.fits'] },
    makeTlm: { label: `make_tlm ${f(6)}`, after: [bias, dark].sort(), argv: ['make_tlm', f(6), '-idxfile', idx, '-TLMAP_FILENAME', f(6, 'tlm.fits'), ...cals] },
    reduceArc: { label: `reduce_arc ${f(7)}`, after: [bias, dark, `make_tlm ${f(6)}`].sort(), argv: ['reduce_arc', f(7), '-idxfile', idx, '-TLMAP_FILENAME', f(6, 'tlm.fits'), ...cals, '-EXTR_OPERATION', 'GAUSS'] },
    reduceFflat: {
      label: `reduce_fflat ${f(6)}`,
      after: [bias, dark, `make_tlm ${f(6)}`, `reduce_arc ${f(7)}`].sort(),
      argv: ['reduce_fflat', f(6), '-idxfile', idx, '-TLMAP_FILENAME', f(6, 'tlm.fits'), '-DO_TLMAP', '0', '-WAVEL_FILENAME', f(7, 'red.fits'), ...cals, '-EXTR_OPERATION', 'GAUSS'],
    },
    reduceObject: [obj(8), obj(9)],
    combineSpectra: {
      label: `combine_spectra 20140926_G23_Y7_015_p0_${arm}_combined.fits`,
      after: [`reduce_object ${f(8)}`, `reduce_object ${f(9)}`],
      argv: ['combine_spectra', `${f(8, 'red.fits')} ${f(9, 'red.fits')}`, '-idxfile', idx, '-COMBINEDFILE', `20140926_G23_Y7_015_p0_${arm}_combined.fits`],
    },
  };
}

describe('planner: exact DAG of a simulated night', () => {
  const frames = exampleNight();
  const plan = createPlan({ pipeline: testPipeline, frames, request: { fields: [{ night, cfgFile: 'G23_Y7_015_p0.sds' }] }, presets });

  it('plans every step once, in pipeline order, with the argv SAMI-style wrappers build', () => {
    const b = armSteps('blue');
    const r = armSteps('red');
    const splice = {
      label: 'splice 20140926_G23_Y7_015_p0_spliced.fits',
      after: [b.combineSpectra.label, r.combineSpectra.label].sort(),
      argv: ['splice', '20140926_G23_Y7_015_p0_blue_combined.fits 20140926_G23_Y7_015_p0_red_combined.fits', '-idxfile', 'aaomega_580V.idx', '-OUTPUT_FILE', '20140926_G23_Y7_015_p0_spliced.fits'],
    };
    expect(dag(plan)).toEqual([
      ...b.reduceBias, ...r.reduceBias,
      b.combineBias, r.combineBias,
      ...b.reduceDark, ...r.reduceDark,
      b.combineDark, r.combineDark,
      b.makeTlm, r.makeTlm,
      b.reduceArc, r.reduceArc,
      b.reduceFflat, r.reduceFflat,
      ...b.reduceObject, ...r.reduceObject,
      b.combineSpectra, r.combineSpectra,
      splice,
    ]);
    expect(plan.estimate).toEqual({ steps: 27, totalCostS: 953, criticalPathS: 330 });
  });

  it('names inputs, outputs and products as 2dfdr does, and passes the idx file content', () => {
    const obj = plan.steps.find((s) => s.label === 'reduce_object 26sep10008.fits')!;
    const byLabel = new Map(plan.steps.map((s) => [s.label, s.id]));
    expect(obj.inputs).toEqual([
      { kind: 'raw', frameId: frameIdOf(night, 1, 8), relPath: '140926/ccd_1/26sep10008.fits', fileName: '26sep10008.fits', sha256: frames.find((f) => f.fileName === '26sep10008.fits')!.sha256 },
      { kind: 'product', stepId: byLabel.get('make_tlm 26sep10006.fits'), fileName: '26sep10006tlm.fits' },
      { kind: 'product', stepId: byLabel.get('reduce_arc 26sep10007.fits'), fileName: '26sep10007red.fits' },
      { kind: 'product', stepId: byLabel.get('reduce_fflat 26sep10006.fits'), fileName: '26sep10006red.fits' },
      { kind: 'product', stepId: byLabel.get(`combine_image BIAScombined.fits (${night} blue)`), fileName: 'BIAScombined.fits' },
      { kind: 'product', stepId: byLabel.get(`combine_image DARKcombined1200.fits (${night} blue)`), fileName: 'DARKcombined1200.fits' },
    ]);
    expect(obj.outputs).toEqual(['26sep10008im.fits', '26sep10008ex.fits', '26sep10008red.fits']);
    expect(obj.products).toEqual(['26sep10008red.fits']);
    expect(obj.idx).toEqual({
      fileName: 'aaomega_580V.idx',
      preset: 'aaomega',
      grating: '580V',
      content: '# aaomega_580V.idx: written by drsoda from pipeline preset "aaomega", grating 580V\nDRC_INCLUDE aaomega.idx\nDRC_OVERRIDE_PAR LACOSMIC "OBJECT ONLY" REDUCE\n',
    });
    expect(obj.id).toMatch(/^[0-9a-f]{32}$/);
    const tlm = plan.steps.find((s) => s.label === 'make_tlm 26sep10006.fits')!;
    expect([tlm.outputs, tlm.products]).toEqual([['26sep10006im.fits', '26sep10006tlm.fits'], ['26sep10006tlm.fits']]);
  });

  it('reports the target products, reclassified and ignored frames, and the fallbacks it used', () => {
    const ids = (n: number) => [frameIdOf(night, 1, n), frameIdOf(night, 2, n)];
    expect(plan.targets).toHaveLength(1);
    expect(plan.targets[0].kind).toBe('field');
    expect(plan.targets[0].frameIds).toEqual([...ids(8), ...ids(9)]);
    expect(plan.targets[0].products.map((p) => `${p.kind} ${p.arm} ${p.fileName}`)).toEqual([
      'reduced blue 26sep10008red.fits', 'reduced red 26sep20008red.fits', 'reduced blue 26sep10009red.fits', 'reduced red 26sep20009red.fits',
      'combined blue 20140926_G23_Y7_015_p0_blue_combined.fits', 'combined red 20140926_G23_Y7_015_p0_red_combined.fits',
      'spliced both 20140926_G23_Y7_015_p0_spliced.fits',
    ]);
    expect(plan.reclassified.map((r) => `${r.fileName} ${r.from}->${r.to}`)).toEqual(['26sep10003.fits DARK->BIAS', '26sep20003.fits DARK->BIAS']);
    expect(plan.ignored.map((i) => `${i.fileName}: ${i.reason}`)).toEqual([
      '26sep10010.fits: MFOBJECT with FLAPS CLOSED: no sky light reaches the fibres',
      '26sep20010.fits: MFOBJECT with FLAPS CLOSED: no sky light reaches the fibres',
    ]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['NO_LFLAT', 'NO_LFLAT', 'NO_OFFSKY', 'NO_OFFSKY']);
    const why = plan.calibrations.filter((c) => c.fileName === '26sep10008.fits').map((c) => `${c.role}: ${c.calibrationFile} (${c.reason})`);
    expect(why).toEqual([
      'bias: BIAScombined.fits (3 BIAS frames of 2014-09-26, blue arm, NORMAL readout, combined)',
      'dark: DARKcombined1200.fits (2 DARK frames of 2014-09-26 with EXPOSED=1200 s, combined; the closest exposure to EXPOSED=1200 s)',
      'lflat: null (no LFLAT frames on 2014-09-26 for the blue arm (580V 4800.0A NORMAL): no long-slit flat division (-USEFLATIM 0))',
      'tlm: 26sep10006tlm.fits (same observing block (G23_Y7_015_p0.sds plate 0), nearest in time (3.8 min before))',
      'wavel: 26sep10007red.fits (same observing block (G23_Y7_015_p0.sds plate 0), nearest in time (2.3 min before))',
      'fflat: 26sep10006red.fits (same observing block (G23_Y7_015_p0.sds plate 0), nearest in time (3.8 min before))',
      'thput: null (no offset sky (MFSKY) for G23_Y7_015_p0.sds plate 0 on 2014-09-26 (blue arm): throughput from sky lines (-TPMETH SKYFLUX(MED)))',
    ]);
  });

  it('is deterministic: the same frames in another order give byte-identical JSON', () => {
    const shuffled = [...frames].reverse();
    const again = createPlan({ pipeline: testPipeline, frames: shuffled, request: { fields: [{ night, cfgFile: 'G23_Y7_015_p0.sds' }] }, presets });
    expect(planToJson(again)).toBe(planToJson(plan));
    expect(JSON.parse(planToJson(plan))).toEqual(JSON.parse(JSON.stringify(plan)));
  });

  it('picks the nearer of two arcs in the other field and shares steps between requests', () => {
    const p = createPlan({ pipeline: testPipeline, frames, request: { frameIds: [frameIdOf(night, 1, 14), frameIdOf(night, 1, 8), frameIdOf(night, 1, 9)] }, options: { arms: 'blue' }, presets });
    const obj = p.steps.find((s) => s.label === 'reduce_object 26sep10014.fits')!;
    expect(obj.argv.slice(4, 10)).toEqual(['-TLMAP_FILENAME', '26sep10011tlm.fits', '-WAVEL_FILENAME', '26sep10013red.fits', '-FFLAT_FILENAME', '26sep10011red.fits']);
    // One bias combination for the night, one TLM per flat, although three targets need them.
    expect(p.steps.filter((s) => s.operation === 'combine_image' && s.products[0] === 'BIAScombined.fits')).toHaveLength(1);
    expect(p.steps.filter((s) => s.operation === 'make_tlm').map((s) => s.label)).toEqual(['make_tlm 26sep10006.fits', 'make_tlm 26sep10011.fits']);
    expect(new Set(p.steps.map((s) => s.id)).size).toBe(p.steps.length);
    // The field-A objects of both requests are combined; field B has one frame and is not.
    expect(p.steps.filter((s) => s.operation === 'combine_spectra').map((s) => s.label)).toEqual(['combine_spectra 20140926_G23_Y7_015_p0_blue_combined.fits']);
    expect(p.steps.some((s) => s.operation === 'splice')).toBe(false);
    // The step of a shared calibration has the same id in both plans: the executor can reuse its products.
    const tlmId = (x: Plan) => x.steps.find((s) => s.label === 'make_tlm 26sep10006.fits')!.id;
    expect(tlmId(p)).toBe(tlmId(plan));
  });
});
