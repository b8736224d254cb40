// Fibre-frame steps of one observing block: make_tlm -> reduce_arc -> reduce_fflat -> reduce_sky -> reduce_object,
// with the argv SAMI-style wrappers build (2dfdr-domain-notes §3.1, §4.2); pure.
import type { CalibrationRole, Operation, ProductInput, StepInput } from '../domain/plan.js';
import { memoise, pixelsOf, rawInput, rootOf, type PlanContext } from './context.js';
import { detectorFlags } from './detector-steps.js';
import type { IndexedFrame } from './frame-index.js';
import { describeNeed, matchFibreCalibration, type FibreMatch } from './match.js';
import { MissingCalibration, stages, type Product } from './step-graph.js';

const fallbackCode = { MFFFF: 'FLAT_FALLBACK', MFARC: 'ARC_FALLBACK', MFSKY: 'SKY_FALLBACK' } as const;

/** The matching flat/arc/sky; fallbacks are warned, and no candidate at all is a MissingCalibration. */
function requireMatch(ctx: PlanContext, s: IndexedFrame, cls: 'MFFFF' | 'MFARC'): FibreMatch {
  const m = matchFibreCalibration(ctx.index, s, cls);
  if (!m) throw new MissingCalibration(describeNeed(s, cls));
  if (m.tier !== 'block') ctx.graph.warn(fallbackCode[cls], `${s.frame.fileName}: ${m.reason}`);
  return m;
}

function record(ctx: PlanContext, s: IndexedFrame, role: CalibrationRole, p: Product, reason: string, fallback: boolean): ProductInput {
  ctx.graph.calibrate({
    frameId: s.frame.id,
    fileName: s.frame.fileName,
    role,
    stepId: p.stepId,
    calibrationFile: p.fileName,
    calibrationFrameIds: p.frameIds,
    reason,
    fallback,
  });
  return { kind: 'product', stepId: p.stepId, fileName: p.fileName };
}

interface FibreStep {
  op: Operation;
  s: IndexedFrame;
  /** Options before the detector flags (TLM, wavelength, flat). */
  pre: string[];
  /** Options after them (extraction, sky, throughput). */
  post: string[];
  /** Inputs named in `pre`, then in `post`: with the detector ones between, they follow the argv order. */
  inputs: StepInput[];
  postInputs?: StepInput[];
  outputs: string[];
  product: string;
}

function addFibreStep(ctx: PlanContext, x: FibreStep): Product {
  const f = x.s.frame;
  const idx = ctx.idxFor(f.gratId);
  const flags = detectorFlags(ctx, x.s, idx, ['bias', 'dark', 'lflat']);
  const step = ctx.graph.add({
    operation: x.op,
    stage: stages[x.op as keyof typeof stages],
    night: f.night,
    arm: f.arm,
    label: `${x.op} ${f.fileName}`,
    inputs: [rawInput(f)],
    idx,
    options: [...x.pre, ...flags.argv, ...x.post],
    calibrationInputs: [...x.inputs, ...flags.inputs, ...(x.postInputs ?? [])],
    outputs: x.outputs,
    products: [x.product],
    pixels: pixelsOf(f),
  });
  return { stepId: step.id, fileName: x.product, frameIds: [f.id] };
}

const extracted = (root: string) => [`${root}im.fits`, `${root}ex.fits`, `${root}red.fits`];

/** The tramline map of a fibre flat. */
export function planTramlineMap(ctx: PlanContext, flat: IndexedFrame): Product {
  return memoise(ctx, `make_tlm|${flat.frame.id}`, () => {
    const root = rootOf(flat.frame);
    return addFibreStep(ctx, { op: 'make_tlm', s: flat, pre: ['-TLMAP_FILENAME', `${root}tlm.fits`], post: [], inputs: [], outputs: [`${root}im.fits`, `${root}tlm.fits`], product: `${root}tlm.fits` });
  });
}

/** Reduces an arc along the tramlines of its own matched flat; arcs always use GAUSS extraction (as SAMI). */
export function planArcReduction(ctx: PlanContext, arc: IndexedFrame): Product {
  return memoise(ctx, `reduce_arc|${arc.frame.id}`, () => {
    const flat = requireMatch(ctx, arc, 'MFFFF');
    const tlm = record(ctx, arc, 'tlm', planTramlineMap(ctx, flat.frame), flat.reason, flat.tier !== 'block');
    const root = rootOf(arc.frame);
    return addFibreStep(ctx, { op: 'reduce_arc', s: arc, pre: ['-TLMAP_FILENAME', tlm.fileName], post: ['-EXTR_OPERATION', 'GAUSS'], inputs: [tlm], outputs: extracted(root), product: `${root}red.fits` });
  });
}

/** Reduces a fibre flat with its own TLM (-DO_TLMAP 0: passing another would make 2dfdr overwrite it). */
export function planFibreFlatReduction(ctx: PlanContext, flat: IndexedFrame): Product {
  return memoise(ctx, `reduce_fflat|${flat.frame.id}`, () => {
    const tlm = record(ctx, flat, 'tlm', planTramlineMap(ctx, flat), 'its own tramline map (2dfdr overwrites any other)', false);
    const arc = requireMatch(ctx, flat, 'MFARC');
    const wavel = record(ctx, flat, 'wavel', planArcReduction(ctx, arc.frame), arc.reason, arc.tier !== 'block');
    const root = rootOf(flat.frame);
    return addFibreStep(ctx, {
      op: 'reduce_fflat',
      s: flat,
      pre: ['-TLMAP_FILENAME', tlm.fileName, '-DO_TLMAP', '0', '-WAVEL_FILENAME', wavel.fileName],
      post: ['-EXTR_OPERATION', ctx.options.extraction],
      inputs: [tlm, wavel],
      outputs: extracted(root),
      product: `${root}red.fits`,
    });
  });
}

/** TLM, wavelength and fibre-flat inputs shared by offset-sky and object reductions. */
function fibreCalibrations(ctx: PlanContext, s: IndexedFrame): { pre: string[]; inputs: ProductInput[] } {
  const flat = requireMatch(ctx, s, 'MFFFF');
  const arc = requireMatch(ctx, s, 'MFARC');
  const fallback = flat.tier !== 'block';
  const tlm = record(ctx, s, 'tlm', planTramlineMap(ctx, flat.frame), flat.reason, fallback);
  const wavel = record(ctx, s, 'wavel', planArcReduction(ctx, arc.frame), arc.reason, arc.tier !== 'block');
  const fflat = record(ctx, s, 'fflat', planFibreFlatReduction(ctx, flat.frame), flat.reason, fallback);
  return {
    pre: ['-TLMAP_FILENAME', tlm.fileName, '-WAVEL_FILENAME', wavel.fileName, '-FFLAT_FILENAME', fflat.fileName],
    inputs: [tlm, wavel, fflat],
  };
}

/** Reduces an offset-sky frame: the throughput source for OFFSKY. */
export function planSkyReduction(ctx: PlanContext, sky: IndexedFrame): Product {
  return memoise(ctx, `reduce_sky|${sky.frame.id}`, () => {
    const c = fibreCalibrations(ctx, sky);
    const root = rootOf(sky.frame);
    return addFibreStep(ctx, { op: 'reduce_sky', s: sky, pre: c.pre, post: ['-EXTR_OPERATION', ctx.options.extraction], inputs: c.inputs, outputs: extracted(root), product: `${root}red.fits` });
  });
}

/** Throughput options: OFFSKY with a matched offset sky, else sky lines (SKYFLUX(MED)) with a warning. */
function throughput(ctx: PlanContext, obj: IndexedFrame): { post: string[]; inputs: ProductInput[] } {
  const method = ctx.options.throughput;
  const off = (reason: string, fallback: boolean) =>
    ctx.graph.calibrate({ frameId: obj.frame.id, fileName: obj.frame.fileName, role: 'thput', stepId: null, calibrationFile: null, calibrationFrameIds: [], reason, fallback });
  if (method === 'NONE') {
    off('throughput calibration switched off (-THRUPUT 0), as requested', false);
    return { post: ['-THRUPUT', '0'], inputs: [] };
  }
  if (method !== 'OFFSKY') {
    off(`throughput from sky lines (-TPMETH ${method}), as requested`, false);
    return { post: ['-TPMETH', method], inputs: [] };
  }
  const m = matchFibreCalibration(ctx.index, obj, 'MFSKY');
  if (!m) {
    const f = obj.frame;
    const message = `no offset sky (MFSKY) for ${f.cfgFile.trim()} plate ${f.plate} on ${f.night} (${f.arm} arm): throughput from sky lines (-TPMETH SKYFLUX(MED))`;
    ctx.graph.warn('NO_OFFSKY', message);
    off(message, true);
    return { post: ['-TPMETH', 'SKYFLUX(MED)'], inputs: [] };
  }
  if (m.tier !== 'block') ctx.graph.warn(fallbackCode.MFSKY, `${obj.frame.fileName}: ${m.reason}`);
  const sky = record(ctx, obj, 'thput', planSkyReduction(ctx, m.frame), m.reason, m.tier !== 'block');
  return { post: ['-TPMETH', 'OFFSKY', '-THPUT_FILENAME', sky.fileName], inputs: [sky] };
}

/** The full reduction of one object frame. */
export function planObjectReduction(ctx: PlanContext, obj: IndexedFrame): Product {
  return memoise(ctx, `reduce_object|${obj.frame.id}`, () => {
    const c = fibreCalibrations(ctx, obj);
    const t = throughput(ctx, obj);
    const root = rootOf(obj.frame);
    return addFibreStep(ctx, {
      op: 'reduce_object',
      s: obj,
      pre: c.pre,
      post: ['-EXTR_OPERATION', ctx.options.extraction, '-SKYSUB', ctx.options.skySubtraction ? '1' : '0', ...t.post],
      inputs: c.inputs,
      postInputs: t.inputs,
      outputs: extracted(root),
      product: `${root}red.fits`,
    });
  });
}
