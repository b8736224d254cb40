// Links of one reduced product (a product DID): #this (the file) and #preview, #progenitor for the raw frames it
// was reduced from, and #calibration (#bias, #flat, ...) for the raw frames behind its calibrations.
import { errorRow, type LinkRow } from '../vo/datalink.js';
import { findProduct, framesForLinks, stepAncestry, type AncestorStep } from '../store/link-store.js';
import { calibrationTerm, describeFrame, productRows, rawRow, type LinksContext } from './links-context.js';
import type { ProductRef } from '../domain/plan.js';

/** Steps whose products carry their inputs' data onwards (the rest only use their product inputs as calibrations). */
const combining = new Set(['combine_image', 'combine_spectra', 'splice']);

/**
 * Splits the raw frames behind a step into progenitors (the data: the step's own raw input, and through combining
 * steps the raw inputs of what they combine) and calibrations (everything else its ancestry reads).
 */
export function provenance(stepId: string, ancestry: readonly AncestorStep[]): { progenitors: string[]; calibrations: string[] } {
  const byId = new Map(ancestry.map((s) => [s.id, s]));
  const progenitors = new Set<string>();
  const walk = (id: string) => {
    const s = byId.get(id);
    if (!s) return;
    for (const i of s.inputs) {
      if (i.kind === 'raw') progenitors.add(i.frameId);
      else if (combining.has(s.operation)) walk(i.stepId);
    }
  };
  walk(stepId);
  const all = new Set(ancestry.flatMap((s) => s.inputs.flatMap((i) => (i.kind === 'raw' ? [i.frameId] : []))));
  return { progenitors: [...progenitors].sort(), calibrations: [...all].filter((f) => !progenitors.has(f)).sort() };
}

export async function productLinks(c: LinksContext, id: string, ref: ProductRef): Promise<LinkRow[]> {
  const p = await findProduct(c.pool, ref.stepId, ref.fileName, c.scope);
  // Products of other owners' jobs look exactly like absent ones.
  if (!p) return [errorRow(id, 'NotFoundFault', `no product ${ref.fileName} of step ${ref.stepId} is available to you`)];
  const rows = await productRows(c, id, '#this', p, `Reduced product ${p.fileName} (${p.label}${p.pipeline ? `; made by ${p.pipeline}` : ''})`);
  const { progenitors, calibrations } = provenance(p.stepId, await stepAncestry(c.pool, p.stepId));
  const frames = new Map((await framesForLinks(c.pool, [...progenitors, ...calibrations])).map((f) => [f.id, f]));
  const raw = (frameId: string, semantics: (ndfClass: string) => string, what: string): LinkRow => {
    const f = frames.get(frameId);
    if (!f || f.missing) return errorRow(id, 'NotFoundFault', `raw frame ${frameId} is no longer in the archive`, semantics(f?.ndfClass ?? ''));
    return rawRow(c, id, semantics(f.ndfClass), f, `${what}: ${describeFrame(f)}`);
  };
  for (const f of progenitors) rows.push(raw(f, () => '#progenitor', 'Raw input'));
  for (const f of calibrations) rows.push(raw(f, calibrationTerm, 'Calibration'));
  return rows;
}
