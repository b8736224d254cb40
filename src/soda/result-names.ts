// Which results a SODA request gives and what they are called: every ID x product x region x band combination
// (SODA 1.0 section 3.4), named <ID label>_<product>[_pos<k>][_band<k>].<fits|vot>; an ID x region whose frames
// have no fibre in the region gives one text/plain "no data" entry per band instead, <ID label>[_pos<k>][_band<k>].txt;
// pure.
import type { DidRef } from '../archive/dids.js';
import type { Plan, TargetProduct } from '../domain/plan.js';
import { usageError } from '../errors.js';
import type { ResolvedId } from './plan-request.js';
import { targetsOfId } from './plan-request.js';
import type { BandFilter, SpatialFilter } from '../cutout/filters.js';
import type { SodaRequest } from './request.js';
import { limits } from './request.js';
import { describeRegion } from '../cutout/geometry.js';
import { productHitsRegion, type RegionOverlap, noRegions } from './region-overlap.js';

export interface PlannedCut {
  /** UWS result id, also the file name under the job's results/ folder. */
  resultId: string;
  id: string;
  /** null for an ID that selects nothing (the result is a "no data" text). */
  product: TargetProduct | null;
  noData?: string;
  spatial?: SpatialFilter;
  band?: BandFilter;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');

/** A short readable label of an ID: 2014-09-26_ccd1_0023, 2014-09-26_G23_Y7_015, 2014-09-26. */
export function idLabel(ref: DidRef): string {
  if (ref.kind === 'frame') return `${ref.night}_ccd${ref.ccd}_${String(ref.run).padStart(4, '0')}`;
  if (ref.kind === 'field') return `${ref.night}_${safe(ref.cfg).slice(0, 60)}`;
  return ref.night;
}

export const extensionOf = (format: SodaRequest['format']) => (format === 'application/fits' ? 'fits' : 'vot');

/** The products an ID gives, without repeats, in the planner's order (per arm, then combined, then spliced). */
export function productsOfId(r: ResolvedId, plan: Plan | null): TargetProduct[] {
  if (!plan || r.noData) return [];
  const seen = new Set<string>();
  return targetsOfId(r.ref, r.id, plan)
    .flatMap((t) => t.products)
    .filter((p) => !seen.has(p.stepId + p.fileName) && !!seen.add(p.stepId + p.fileName));
}

const rank: Record<TargetProduct['kind'], number> = { tlm: 0, reduced: 1, combined: 2, spliced: 3 };

/**
 * The one product a synchronous request answers with: the most processed one (spliced, then combined, then
 * reduced). Throws UsageError when several are equally final (e.g. both arms without SPLICE), naming them.
 */
export function mainProduct(products: readonly TargetProduct[], id: string): TargetProduct {
  const best = Math.max(...products.map((p) => rank[p.kind]));
  const top = products.filter((p) => rank[p.kind] === best);
  if (top.length === 1) return top[0];
  throw usageError(`ID ${id} gives ${top.length} products (${top.map((p) => p.fileName).join(', ')}): a synchronous request returns one; choose an arm (ARMS), SPLICE=true, or use /soda/async`);
}

/** One ID x region combination known before anything runs to hold no fibre (its results are "no data"). */
export interface MissedRegion {
  id: string;
  /** Index of the region in request order. */
  spatial: number;
  filter: SpatialFilter;
  message: string;
}

/** The regions (indices) in which no product of the ID can keep a fibre, with the reason. */
export function missedRegions(req: SodaRequest, r: ResolvedId, plan: Plan | null, regions: RegionOverlap): MissedRegion[] {
  if (r.noData || !plan) return [];
  const products = productsOfId(r, plan);
  if (!products.length) return [];
  return req.spatial.flatMap((filter, i) =>
    products.some((p) => productHitsRegion(plan, regions, p, i))
      ? []
      : [{ id: r.id, spatial: i, filter, message: `no fibre of ${products.map((p) => p.fileName).join(', ')} of ${r.id} has its target inside ${describeRegion(filter.region)}` }],
  );
}

/**
 * Every result of the request, in ID order. A product is not cut with a region none of its frames' fibres lies
 * in; a region no product of an ID reaches gives that ID "no data" entries. Throws UsageError beyond the result limit.
 */
export function plannedCuts(req: SodaRequest, ids: readonly ResolvedId[], plan: Plan | null, regions: RegionOverlap = noRegions): PlannedCut[] {
  const spatial: Array<SpatialFilter | undefined> = req.spatial.length ? req.spatial : [undefined];
  const bands: Array<BandFilter | undefined> = req.bands.length ? req.bands : [undefined];
  const ext = extensionOf(req.format);
  const out: PlannedCut[] = [];
  const labels = new Map<string, number>();
  const used = new Set<string>();
  const unique = (stem: string, ext: string) => {
    let id = `${stem.slice(0, 120)}.${ext}`;
    for (let k = 2; used.has(id); k++) id = `${stem.slice(0, 114)}-${k}.${ext}`;
    used.add(id);
    return id;
  };
  for (const r of ids) {
    let label = idLabel(r.ref);
    // Distinct IDs with the same label (a field name cut short) stay distinct.
    const seen = labels.get(label) ?? 0;
    labels.set(label, seen + 1);
    if (seen) label = `${label}-${seen + 1}`;
    const products: Array<TargetProduct | null> = r.noData ? [null] : productsOfId(r, plan);
    const missed = new Map(missedRegions(req, r, plan, regions).map((m) => [m.spatial, m]));
    const name = (product: TargetProduct | null, i: number, j: number, s?: SpatialFilter, b?: BandFilter) =>
      `${label}${product ? `_${product.fileName.replace(/\.fits$/i, '')}` : ''}${s && spatial.length > 1 ? `_pos${i + 1}` : ''}${b && bands.length > 1 ? `_band${j + 1}` : ''}`;
    for (const product of products) {
      spatial.forEach((s, i) =>
        bands.forEach((b, j) => {
          if (product && s && (missed.has(i) || !productHitsRegion(plan!, regions, product, i))) return;
          out.push({ resultId: unique(name(product, i, j, s, b), product ? ext : 'txt'), id: r.id, product, noData: r.noData, spatial: s, band: b });
        }),
      );
    }
    for (const m of missed.values()) {
      bands.forEach((b, j) => out.push({ resultId: unique(name(null, m.spatial, j, m.filter, b), 'txt'), id: r.id, product: null, noData: m.message, spatial: m.filter, band: b }));
    }
  }
  if (out.length > limits.results) throw usageError(`the request gives ${out.length} results; at most ${limits.results} are allowed (fewer IDs, regions or bands)`);
  return out;
}
