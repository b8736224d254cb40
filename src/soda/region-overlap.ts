// Which of a request's regions (POS, CIRCLE, POLYGON) hold a fibre target of each raw frame, from the fibre
// tables the archive index keeps, so a frame with nothing in any region is never reduced and a combination with
// no overlap is known (and declared as a text/plain "no data" result) before anything runs.
import type { Plan, ProductRef } from '../domain/plan.js';
import { fibresInside, type FibreRow } from '../cutout/cut.js';
import type { SpatialFilter } from '../cutout/filters.js';
import { describeRegion } from '../cutout/geometry.js';
import type { Queryable } from '../store/db.js';
import { fibreTargets } from '../store/frame-store.js';

/** Frame id -> indices (request order) of the regions holding one of its targeted fibres; frames without a fibre table are absent. */
export type RegionOverlap = ReadonlyMap<string, ReadonlySet<number>>;

export const noRegions: RegionOverlap = new Map();

/** Reads the fibre tables of the frames and tests every region; empty when the request has no region. */
export async function regionOverlap(db: Queryable, spatial: readonly SpatialFilter[], frameIds: readonly string[]): Promise<RegionOverlap> {
  if (!spatial.length || !frameIds.length) return noRegions;
  return overlapOfFibres(spatial, await fibreTargets(db, [...new Set(frameIds)]));
}

/** The region test on fibre tables already read (frame id -> its fibres); frames with no fibres are left out. */
export function overlapOfFibres(spatial: readonly SpatialFilter[], tables: ReadonlyMap<string, readonly FibreRow[]>): RegionOverlap {
  const out = new Map<string, Set<number>>();
  for (const [id, fibres] of tables) {
    if (!fibres.length) continue;
    const hits = new Set<number>();
    spatial.forEach((s, i) => {
      if (fibresInside(fibres, s.region).length) hits.add(i);
    });
    out.set(id, hits);
  }
  return out;
}

/** False only when the frame's fibre table is known and none of its targets lies in any region. */
export const overlapsAny = (o: RegionOverlap, frameId: string) => (o.get(frameId)?.size ?? 1) > 0;

/** The regions of a request as one phrase for messages. */
export const describeRegions = (spatial: readonly SpatialFilter[]) => spatial.map((s) => describeRegion(s.region)).join(' or ');

/**
 * The raw frames whose fibres a product's rows are: followed through the file arguments of the steps (argv[1]),
 * not their calibrations, so a combined or spliced product leads to its object exposures.
 */
export function progenitorFrames(plan: Plan, product: ProductRef): string[] {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (stepId: string) => {
    if (seen.has(stepId)) return;
    seen.add(stepId);
    const step = byId.get(stepId);
    if (!step) return;
    const files = new Set((step.argv[1] ?? '').split(' '));
    for (const i of step.inputs) {
      if (!files.has(i.fileName)) continue;
      if (i.kind === 'raw') out.add(i.frameId);
      else visit(i.stepId);
    }
  };
  visit(product.stepId);
  return [...out].sort();
}

/**
 * Whether cutting the product with region i can keep a fibre: false when every frame behind it has a known
 * fibre table with nothing in the region; true when one has, or when a table is unknown (the cut decides).
 */
export function productHitsRegion(plan: Plan, o: RegionOverlap, product: ProductRef, i: number): boolean {
  if (!o.size) return true;
  const frames = progenitorFrames(plan, product);
  if (!frames.length) return true;
  return frames.some((f) => o.get(f)?.has(i) ?? true);
}
