// Field products: combine_spectra of a field's object frames per arm, and splice of blue + red (per field when
// combining, else per exposure) (2dfdr-domain-notes §4.2, §5.1); pure.
import type { Arm, FrameRecord } from '../domain/frame.js';
import type { ProductInput, TargetProduct } from '../domain/plan.js';
import { rootOf, type PlanContext } from './context.js';
import type { IndexedFrame } from './frame-index.js';
import { stages, type Product } from './step-graph.js';

export interface ReducedObject {
  frame: IndexedFrame;
  product: Product;
}

/** `<YYYYMMDD>_<CFG_FILE stem>[_p<plate>]`: unique per night, configuration and plate, safe as a file name. */
export function fieldName(f: FrameRecord): string {
  const stem = f.cfgFile.trim().replace(/\.sds$/i, '').replace(/[^A-Za-z0-9_-]+/g, '_');
  const plate = `_p${f.plate}`;
  return `${f.night.replace(/-/g, '')}_${stem}${stem.toLowerCase().endsWith(plate) ? '' : plate}`;
}

const fieldKey = (f: FrameRecord) => `${f.night}|${f.cfgFile.trim().toLowerCase()}|${f.plate}`;
const asInput = (p: Product): ProductInput => ({ kind: 'product', stepId: p.stepId, fileName: p.fileName });

interface Group {
  arm: Arm;
  objects: ReducedObject[];
  product: Product;
  combined: boolean;
}

function addSplice(ctx: PlanContext, blue: Product, red: Product, first: FrameRecord, out: string): Product {
  const step = ctx.graph.add({
    operation: 'splice',
    stage: stages.splice,
    night: first.night,
    arm: 'both',
    label: `splice ${out}`,
    inputs: [asInput(blue), asInput(red)],
    idx: ctx.idxFor(first.gratId),
    options: ['-OUTPUT_FILE', out],
    outputs: [out],
    products: [out],
    pixels: first.naxis1 * first.naxis2,
  });
  return { stepId: step.id, fileName: out, frameIds: [...blue.frameIds, ...red.frameIds] };
}

/**
 * Adds the combine and splice steps for the reduced object frames; returns, per object frame id, the combined
 * and spliced products it contributes to.
 */
export function addFieldSteps(ctx: PlanContext, objects: ReducedObject[]): Map<string, TargetProduct[]> {
  const refs = new Map<string, TargetProduct[]>();
  const addRef = (ids: string[], ref: TargetProduct) => ids.forEach((id) => refs.set(id, [...(refs.get(id) ?? []), ref]));
  const sorted = [...objects].sort((a, b) => a.frame.frame.utMjd - b.frame.frame.utMjd || a.frame.frame.ccd - b.frame.frame.ccd);

  // Groups per field, arm and set-up (a set-up change within a field would make the combination meaningless).
  const groups = new Map<string, Group>();
  for (const o of sorted) {
    const f = o.frame.frame;
    const key = `${fieldKey(f)}|${f.arm}|${o.frame.setup}`;
    const g = groups.get(key);
    if (g) g.objects.push(o);
    else groups.set(key, { arm: f.arm, objects: [o], product: o.product, combined: false });
  }
  if (ctx.options.combine) {
    for (const g of groups.values()) {
      if (g.objects.length < 2) continue;
      const first = g.objects[0].frame.frame;
      const out = `${fieldName(first)}_${g.arm}_combined.fits`;
      const step = ctx.graph.add({
        operation: 'combine_spectra',
        stage: stages.combine_spectra,
        night: first.night,
        arm: g.arm,
        label: `combine_spectra ${out}`,
        inputs: g.objects.map((o) => asInput(o.product)),
        idx: ctx.idxFor(first.gratId),
        options: ['-COMBINEDFILE', out],
        outputs: [out],
        products: [out],
        pixels: first.naxis1 * first.naxis2,
      });
      g.product = { stepId: step.id, fileName: out, frameIds: g.objects.map((o) => o.frame.frame.id) };
      g.combined = true;
      addRef(g.product.frameIds, { stepId: step.id, fileName: out, arm: g.arm, kind: 'combined' });
    }
  }
  if (!ctx.options.splice || ctx.options.arms !== 'both') return refs;

  if (ctx.options.combine) {
    const fields = new Map<string, Group[]>();
    for (const g of groups.values()) {
      const k = fieldKey(g.objects[0].frame.frame);
      fields.set(k, [...(fields.get(k) ?? []), g]);
    }
    for (const gs of fields.values()) {
      const blue = gs.filter((g) => g.arm === 'blue');
      const red = gs.filter((g) => g.arm === 'red');
      const name = fieldName(gs[0].objects[0].frame.frame);
      if (blue.length !== 1 || red.length !== 1) {
        const why = !blue.length || !red.length ? `only the ${blue.length ? 'blue' : 'red'} arm has object frames` : 'an arm has frames with more than one set-up';
        ctx.graph.warn('NOT_SPLICED', `${name}: not spliced: ${why}`);
        continue;
      }
      const p = addSplice(ctx, blue[0].product, red[0].product, blue[0].objects[0].frame.frame, `${name}_spliced.fits`);
      addRef(p.frameIds, { stepId: p.stepId, fileName: p.fileName, arm: 'both', kind: 'spliced' });
    }
    return refs;
  }

  // Not combining: splice each exposure's blue and red frames (same night and run).
  const reds = new Map(sorted.filter((o) => o.frame.frame.arm === 'red').map((o) => [`${o.frame.frame.night}|${o.frame.frame.run}`, o]));
  const paired = new Set<string>();
  for (const b of sorted.filter((o) => o.frame.frame.arm === 'blue')) {
    const f = b.frame.frame;
    const r = reds.get(`${f.night}|${f.run}`);
    if (!r) continue;
    paired.add(r.frame.frame.id).add(f.id);
    const root = rootOf(f);
    const out = `${root.slice(0, 5)}${root.slice(6)}_spliced.fits`; // drop the CCD digit: 26sep10033 -> 26sep0033
    const p = addSplice(ctx, b.product, r.product, f, out);
    addRef(p.frameIds, { stepId: p.stepId, fileName: p.fileName, arm: 'both', kind: 'spliced' });
  }
  for (const o of sorted) {
    if (!paired.has(o.frame.frame.id)) ctx.graph.warn('NOT_SPLICED', `${o.frame.frame.fileName}: not spliced: the other arm of run ${o.frame.frame.run} is not reduced`);
  }
  return refs;
}
