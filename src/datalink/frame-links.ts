// Links of one raw frame: #this (the raw file), #calibration rows for the frames the planner would use to reduce
// it (#bias, #dark, #flat where the class says so), #proc (a SODA descriptor with the ID preset), and #derivation
// (+ #preview) for products already made from it that the caller may see.
import type { CalibrationRole, PipelineIdentity, Plan } from '../domain/plan.js';
import { ServiceError } from '../errors.js';
import { createPlan } from '../planner/plan.js';
import type { ArchivedFrame } from '../domain/frame.js';
import type { DerivedProduct } from '../store/link-store.js';
import { datalinkContentType, errorRow, type LinkRow } from '../vo/datalink.js';
import { calibrationTerm, describeFrame, productRows, rawRow, type LinksContext } from './links-context.js';
import { datasetHints, procDescriptor } from '../soda/proc-descriptor.js';
import { formatProductDid } from './product-ids.js';

const roleNames: Record<CalibrationRole, string> = {
  bias: 'bias',
  dark: 'dark',
  lflat: 'long-slit flat field',
  tlm: 'tramline map',
  wavel: 'wavelength calibration',
  fflat: 'fibre flat field',
  thput: 'throughput',
};

/**
 * The plan that reduces this frame alone, on its own arm (the calibrations of *this* frame), with no combining.
 * Throws ServiceError UsageError when the planner cannot reduce it (missing calibrations, an ignored frame).
 */
function planFor(c: LinksContext, frame: ArchivedFrame, night: readonly ArchivedFrame[], pipeline: PipelineIdentity): Plan {
  const sameArm = night.filter((f) => f.arm === frame.arm);
  return createPlan({ frames: sameArm, request: { frameIds: [frame.id] }, options: { arms: frame.arm, combine: false, splice: false }, presets: c.presets, pipeline });
}

function calibrationRows(c: LinksContext, id: string, frame: ArchivedFrame, plan: Plan, byId: Map<string, ArchivedFrame>): LinkRow[] {
  const roles = new Map<string, { roles: Set<CalibrationRole>; fallback: boolean }>();
  for (const m of plan.calibrations) {
    for (const raw of m.calibrationFrameIds) {
      const r = roles.get(raw) ?? { roles: new Set(), fallback: false };
      r.roles.add(m.role);
      r.fallback ||= m.fallback;
      roles.set(raw, r);
    }
  }
  // Every raw frame any step reads, in plan (dependency) order, except the frame itself.
  const seen = new Set<string>([frame.id]);
  const rows: LinkRow[] = [];
  for (const s of plan.steps) {
    for (const i of s.inputs) {
      if (i.kind !== 'raw' || seen.has(i.frameId)) continue;
      seen.add(i.frameId);
      const f = byId.get(i.frameId);
      if (!f) continue;
      const r = roles.get(f.id);
      const used = r ? [...r.roles].map((x) => roleNames[x]).join(', ') : 'calibration';
      const description = `Calibration: ${describeFrame(f)}, used for ${used}${r?.fallback ? ' (a documented fallback)' : ''}`;
      rows.push(rawRow(c, id, calibrationTerm(f.ndfClass), f, description, r ? [...r.roles].sort().join(' ') : undefined));
    }
  }
  return rows;
}

async function procRow(c: LinksContext, id: string, frame: ArchivedFrame, night: readonly ArchivedFrame[]): Promise<LinkRow> {
  // The SODA default reduces both arms of the exposure: the domain covers both.
  const exposure = night.filter((f) => f.run === frame.run);
  const hints = datasetHints(exposure.length ? exposure : [frame], await c.fibresOf(frame));
  const xmlId = c.nextXmlId('soda-sync');
  c.descriptors.push(
    procDescriptor({
      xmlId, datasetId: id, label: describeFrame(frame), syncUrl: `${c.baseUrl}/soda/sync`, asyncUrl: `${c.baseUrl}/soda/async`, sodaParams: c.sodaParams, hints,
    }),
  );
  return {
    id, serviceDef: xmlId, semantics: '#proc', contentType: 'application/fits',
    description: `Reduce ${frame.fileName} with 2dFdr (SODA; both arms of run ${frame.run} by default), optionally cut to a region (POS, CIRCLE, POLYGON) and a band (BAND)`,
  };
}

/** Derivation rows: the product file (and preview), then a recursive DataLink row for the product's own links. */
export async function derivationRows(c: LinksContext, id: string, derived: readonly DerivedProduct[]): Promise<LinkRow[]> {
  const rows: LinkRow[] = [];
  for (const p of derived) {
    rows.push(...(await productRows(c, id, '#derivation', p, `Reduced product ${p.fileName} (${p.label}; step ${p.stepId.slice(0, 12)})`)));
    rows.push({
      id, semantics: '#derivation', contentType: datalinkContentType, linkAuth: c.authenticated ? 'true' : 'false', localSemantics: p.operation,
      accessUrl: `${c.baseUrl}/soda/links?ID=${encodeURIComponent(formatProductDid(c.authority, p))}`,
      description: `DataLink of ${p.fileName}: its raw inputs (#progenitor) and calibrations`,
    });
  }
  return rows;
}

/** Every row of one frame ID, in the order #this, #proc, #calibration..., #derivation/#preview... */
export async function frameLinks(c: LinksContext, id: string, frame: ArchivedFrame, derived: readonly DerivedProduct[]): Promise<LinkRow[]> {
  const rows: LinkRow[] = [rawRow(c, id, '#this', frame, `Raw ${describeFrame(frame)}`)];
  const night = await c.nightFrames(frame.night);
  const pipeline = await c.pipeline();
  let plan: Plan | null = null;
  try {
    plan = planFor(c, frame, night, pipeline);
  } catch (e) {
    if (!(e instanceof ServiceError && e.label === 'UsageError')) throw e;
    // The frame cannot be reduced (missing calibrations, or the classifier ignores it): say why, offer no #proc.
    rows.push(errorRow(id, 'NotFoundFault', e.message, '#calibration'));
  }
  if (plan) {
    rows.push(await procRow(c, id, frame, night));
    rows.push(...calibrationRows(c, id, frame, plan, new Map(night.map((f) => [f.id, f]))));
  }
  rows.push(...(await derivationRows(c, id, derived)));
  return rows;
}
