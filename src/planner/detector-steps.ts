// Detector calibrations: bias, dark and long-slit flat frames reduced and combined per night and arm (dark per
// exposure time), and the -USE*IM/-*_FILENAME options that apply them (2dfdr-domain-notes §4.2, §4.3); pure.
import type { Arm } from '../domain/frame.js';
import type { CalibrationRole, IdxFile, ProductInput } from '../domain/plan.js';
import { memoise, pixelsOf, rawInput, rootOf, type PlanContext } from './context.js';
import type { IndexedFrame } from './frame-index.js';
import { stages, type Product } from './step-graph.js';

export type DetectorRole = 'bias' | 'dark' | 'lflat';

interface Master {
  product: Product;
  reason: string;
}

/** Reduces one bias/dark/lflat frame with the idx of the set-up it calibrates. */
export function reduceDetectorFrame(ctx: PlanContext, f: IndexedFrame, idx: IdxFile): Product {
  const op = f.cls === 'BIAS' ? 'reduce_bias' : f.cls === 'DARK' ? 'reduce_dark' : 'reduce_lflat';
  return memoise(ctx, `${op}|${f.frame.id}|${idx.fileName}`, () => {
    const roles: DetectorRole[] = f.cls === 'BIAS' ? [] : f.cls === 'DARK' ? ['bias'] : ['bias', 'dark'];
    const flags = detectorFlags(ctx, f, idx, roles);
    const root = rootOf(f.frame);
    const step = ctx.graph.add({
      operation: op,
      stage: stages[op],
      night: f.frame.night,
      arm: f.frame.arm,
      label: `${op} ${f.frame.fileName}`,
      inputs: [rawInput(f.frame)],
      idx,
      options: flags.argv,
      calibrationInputs: flags.inputs,
      outputs: [`${root}im.fits`, `${root}red.fits`],
      products: [`${root}red.fits`],
      pixels: pixelsOf(f.frame),
    });
    return { stepId: step.id, fileName: `${root}red.fits`, frameIds: [f.frame.id] };
  });
}

/** Reduces the frames and combines them with combine_image; a single frame is used as reduced. */
function master(ctx: PlanContext, frames: IndexedFrame[], idx: IdxFile, combinedName: string, stage: number): Product {
  const reduced = frames.map((f) => reduceDetectorFrame(ctx, f, idx));
  if (reduced.length === 1) return reduced[0];
  const first = frames[0].frame;
  const step = ctx.graph.add({
    operation: 'combine_image',
    stage,
    night: first.night,
    arm: first.arm,
    label: `combine_image ${combinedName} (${first.night} ${first.arm})`,
    inputs: reduced.map((p): ProductInput => ({ kind: 'product', stepId: p.stepId, fileName: p.fileName })),
    idx,
    options: ['-COMBINEDFILE', combinedName],
    outputs: [combinedName],
    products: [combinedName],
    pixels: pixelsOf(first),
  });
  return { stepId: step.id, fileName: combinedName, frameIds: frames.map((f) => f.frame.id) };
}

const sameSpeed = (a: IndexedFrame, b: IndexedFrame) => a.frame.speed.trim().toUpperCase() === b.frame.speed.trim().toUpperCase();
const count = (n: number, what: string) => `${n} ${what} frame${n === 1 ? '' : 's'}`;

function masterBias(ctx: PlanContext, s: IndexedFrame, idx: IdxFile): Master | null {
  const { night, arm, speed } = s.frame;
  return memoise(ctx, `bias|${night}|${arm}|${speed}|${idx.fileName}`, () => {
    const frames = ctx.index.ofClass(night, arm, 'BIAS').filter((b) => sameSpeed(b, s));
    if (!frames.length) return null;
    const product = master(ctx, frames, idx, 'BIAScombined.fits', stages.combine_bias);
    return { product, reason: `${count(frames.length, 'BIAS')} of ${night}, ${arm} arm, ${speed.trim()} readout${frames.length > 1 ? ', combined' : ''}` };
  });
}

/** Dark frames grouped by whole seconds of EXPOSED; the group closest to the subject's exposure (ties: longer). */
function masterDark(ctx: PlanContext, s: IndexedFrame, idx: IdxFile): Master | null {
  const { night, arm, speed } = s.frame;
  const { darks, groups } = memoise(ctx, `darks|${night}|${arm}|${speed}`, () => {
    const darks = ctx.index.ofClass(night, arm, 'DARK').filter((d) => sameSpeed(d, s));
    return { darks, groups: [...new Set(darks.map((d) => Math.round(d.frame.exposedS)))] };
  });
  if (!darks.length) return null;
  const want = s.frame.exposedS;
  const t = groups.reduce((best, g) => (Math.abs(g - want) < Math.abs(best - want) || (Math.abs(g - want) === Math.abs(best - want) && g > best) ? g : best));
  const m = memoise(ctx, `dark|${night}|${arm}|${speed}|${idx.fileName}|${t}`, () => {
    const frames = darks.filter((d) => Math.round(d.frame.exposedS) === t);
    const product = master(ctx, frames, idx, `DARKcombined${t}.fits`, stages.combine_dark);
    return { product, reason: `${count(frames.length, 'DARK')} of ${night} with EXPOSED=${t} s${frames.length > 1 ? ', combined' : ''}` };
  });
  // The master is shared; the exposure it was matched to belongs to this subject.
  return { product: m.product, reason: `${m.reason}; the closest exposure to EXPOSED=${want} s` };
}

function masterLflat(ctx: PlanContext, s: IndexedFrame, idx: IdxFile): Master | null {
  const { night, arm } = s.frame;
  return memoise(ctx, `lflat|${night}|${arm}|${s.setup}|${idx.fileName}`, () => {
    const frames = ctx.index.ofClass(night, arm, 'LFLAT').filter((l) => l.setup === s.setup);
    if (!frames.length) return null;
    const product = master(ctx, frames, idx, 'LFLATcombined.fits', stages.combine_lflat);
    return { product, reason: `${count(frames.length, 'LFLAT')} of ${night}, ${arm} arm, ${s.setup}${frames.length > 1 ? ', combined' : ''}` };
  });
}

const flagNames: Record<DetectorRole, [string, string]> = {
  bias: ['-USEBIASIM', '-BIAS_FILENAME'],
  dark: ['-USEDARKIM', '-DARK_FILENAME'],
  lflat: ['-USEFLATIM', '-LFLAT_FILENAME'],
};

const missingWarning: Record<DetectorRole, (night: string, arm: Arm, s: IndexedFrame) => [string, string]> = {
  bias: (night, arm, s) => ['NO_BIAS', `no BIAS frames on ${night} for the ${arm} arm (${s.frame.speed.trim()} readout): bias from the overscan only (-USEBIASIM 0)`],
  dark: (night, arm, s) => ['NO_DARK', `no DARK frames on ${night} for the ${arm} arm (${s.frame.speed.trim()} readout): dark current not subtracted (-USEDARKIM 0)`],
  lflat: (night, arm, s) => ['NO_LFLAT', `no LFLAT frames on ${night} for the ${arm} arm (${s.setup}): no long-slit flat division (-USEFLATIM 0)`],
};

/**
 * The bias/dark/lflat options for one step, in that order. Roles not in `use` are switched off explicitly, as
 * SAMI does ("if you don't, 2dfdr might barf"); a used role with no frames falls back to off with a warning.
 */
export function detectorFlags(ctx: PlanContext, s: IndexedFrame, idx: IdxFile, use: DetectorRole[]): { argv: string[]; inputs: ProductInput[] } {
  const argv: string[] = [];
  const inputs: ProductInput[] = [];
  for (const role of ['bias', 'dark', 'lflat'] as const) {
    const [useFlag, fileFlag] = flagNames[role];
    if (!use.includes(role)) {
      argv.push(useFlag, '0');
      continue;
    }
    const m = role === 'bias' ? masterBias(ctx, s, idx) : role === 'dark' ? masterDark(ctx, s, idx) : masterLflat(ctx, s, idx);
    const base = { frameId: s.frame.id, fileName: s.frame.fileName, role: role as CalibrationRole };
    if (m) {
      argv.push(useFlag, '1', fileFlag, m.product.fileName);
      inputs.push({ kind: 'product', stepId: m.product.stepId, fileName: m.product.fileName });
      ctx.graph.calibrate({ ...base, stepId: m.product.stepId, calibrationFile: m.product.fileName, calibrationFrameIds: m.product.frameIds, reason: m.reason, fallback: false });
    } else {
      argv.push(useFlag, '0');
      const [code, message] = missingWarning[role](s.frame.night, s.frame.arm, s);
      ctx.graph.warn(code, message);
      ctx.graph.calibrate({ ...base, stepId: null, calibrationFile: null, calibrationFrameIds: [], reason: message, fallback: true });
    }
  }
  return { argv, inputs };
}
