// From a SODA request to a reduction plan: resolves each ID (raw frame, field or night DID) against the archive
// index, applies TIME and the regions (fibre tables) to the frames it selects, and asks the planner for one plan
// covering every ID. A frame with no fibre target in any region is not planned: its IDs answer "no data".
import { describeSelector } from '../planner/targets.js';
import { parseDid, type DidRef } from '../archive/dids.js';
import type { FrameRecord } from '../domain/frame.js';
import type { FieldSelector, PipelineIdentity, Plan } from '../domain/plan.js';
import { ServiceError, usageError } from '../errors.js';
import { createPlan } from '../planner/plan.js';
import type { PipelinePresets } from '../planner/presets.js';
import type { Queryable } from '../store/db.js';
import { listFrames } from '../store/frame-store.js';
import type { SodaRequest } from './request.js';
import { describeRegions, overlapsAny, regionOverlap, type RegionOverlap } from './region-overlap.js';

export interface PlanSodaDeps {
  db: Queryable;
  authority: string;
  presets: PipelinePresets;
  /** Only frames indexed under this root are used (the archive the engine reads). */
  archiveRoot?: string;
  /** The reducer the engine runs (Engine.pipeline): part of every step id. */
  pipeline: PipelineIdentity;
}

export interface ResolvedId {
  id: string;
  ref: DidRef;
  /** Set when the ID selects nothing (TIME outside every exposure, no fibre in any region): its results are "no data" answers. */
  noData?: string;
}

export interface SodaPlan {
  ids: ResolvedId[];
  /** null when no ID selects anything to reduce. */
  plan: Plan | null;
  /** Which regions hold a fibre of each selected frame with a fibre table (empty without regions). */
  regions: RegionOverlap;
}

// A night has a few thousand frames at most; every one of them may calibrate the requested frames.
const maxFramesPerNight = 100_000;

const configKey = (cfg: string) => cfg.trim().toLowerCase().replace(/\.sds$/, '');
const exposureOverlaps = (f: FrameRecord, t: readonly [number, number]) => f.utMjd <= t[1] && f.utMjd + f.exposedS / 86400 >= t[0];

/** The DidRef of an ID; IDs of other authorities or forms are UsageErrors (SODA has no NotFound label). */
export function resolveRef(authority: string, id: string): DidRef {
  try {
    return parseDid(authority, id);
  } catch (err) {
    if (err instanceof ServiceError && err.label === 'NotFoundFault') throw usageError(err.message);
    throw err;
  }
}

/** The plan targets an ID stands for, matched by the request strings the planner writes (targets.ts). */
export function targetsOfId(ref: DidRef, id: string, plan: Plan): Plan['targets'] {
  if (ref.kind === 'frame') return plan.targets.filter((t) => t.request === id);
  if (ref.kind === 'field') {
    const key = describeSelector({ night: ref.night, cfgFile: ref.cfg });
    return plan.targets.filter((t) => t.kind === 'field' && configKey(t.request) === configKey(key));
  }
  return plan.targets.filter((t) => t.kind === 'field' && t.request.startsWith(`night=${ref.night} `));
}

/** What the IDs select before planning: the "no data" ones, the frames and fields to reduce, the frames the planner may use. */
export interface ResolvedRequest {
  ids: ResolvedId[];
  frameIds: string[];
  fields: FieldSelector[];
  usable: FrameRecord[];
  regions: RegionOverlap;
}

/** Resolves the IDs against the archive index, TIME and the regions. Throws UsageError for malformed or unknown IDs. */
export async function resolveSoda(d: Omit<PlanSodaDeps, 'presets' | 'pipeline'>, req: SodaRequest): Promise<ResolvedRequest> {
  const refs = req.ids.map((id) => ({ id, ref: resolveRef(d.authority, id) }));
  const nights = [...new Set(refs.map((r) => r.ref.night))];
  const { frames: all } = await listFrames(d.db, { night: nights }, { limit: maxFramesPerNight, offset: 0 });
  const frames = d.archiveRoot === undefined ? all : all.filter((f) => f.root === d.archiveRoot);
  const byId = new Map(frames.map((f) => [f.id, f]));
  const time = req.timeMjd;
  const objects = frames.filter((f) => f.ndfClass === 'MFOBJECT' && f.cfgFile.trim() !== '');
  const inTime = (f: FrameRecord) => !time || exposureOverlaps(f, time);

  // Regions are tested on the fibre tables of every frame the IDs select, before anything is planned.
  const candidates = refs.flatMap(({ id, ref }) =>
    ref.kind === 'frame' ? [id] : objects.filter((f) => f.night === ref.night && (ref.kind === 'night' || configKey(f.cfgFile) === configKey(ref.cfg))).map((f) => f.id),
  );
  const regions = await regionOverlap(d.db, req.spatial, candidates);
  const where = () => `inside ${describeRegions(req.spatial)}`;

  const ids: ResolvedId[] = [];
  const frameIds: string[] = [];
  const fields = new Map<string, FieldSelector>();
  const unknown: string[] = [];
  for (const { id, ref } of refs) {
    if (ref.kind === 'frame') {
      const f = byId.get(id);
      if (!f) unknown.push(id);
      else if (!inTime(f)) ids.push({ id, ref, noData: `frame ${f.fileName} was not exposed during TIME ${time![0]} ${time![1]}` });
      else if (!overlapsAny(regions, f.id)) ids.push({ id, ref, noData: `no fibre of ${f.fileName} has its target ${where()}` });
      else {
        ids.push({ id, ref });
        frameIds.push(id);
      }
      continue;
    }
    const mine = objects.filter((f) => f.night === ref.night && (ref.kind === 'night' || configKey(f.cfgFile) === configKey(ref.cfg)));
    if (!mine.length) {
      unknown.push(id);
      continue;
    }
    const inTimeFrames = mine.filter(inTime);
    if (!inTimeFrames.length) {
      ids.push({ id, ref, noData: `no object exposure of ${id} overlaps TIME ${time![0]} ${time![1]}` });
      continue;
    }
    const selected = inTimeFrames.filter((f) => overlapsAny(regions, f.id));
    if (!selected.length) {
      ids.push({ id, ref, noData: `no fibre of the ${inTimeFrames.length} object exposure(s) of ${id} has its target ${where()}` });
      continue;
    }
    ids.push({ id, ref });
    for (const f of selected) fields.set(`${f.night} ${configKey(f.cfgFile)}`, { night: f.night, cfgFile: ref.kind === 'field' ? ref.cfg : f.cfgFile });
  }
  if (unknown.length) throw usageError(`ID: not in the archive: ${unknown.join(', ')}`);
  // TIME and the regions narrow a field to the exposures that overlap them: the planner sees no other object
  // frames of that configuration (unless one is asked for by its own ID).
  const asked = new Set(frameIds);
  const usable = time || regions.size ? frames.filter((f) => f.ndfClass !== 'MFOBJECT' || asked.has(f.id) || (inTime(f) && overlapsAny(regions, f.id))) : frames;
  return { ids, frameIds, fields: [...fields.values()], usable, regions };
}

/**
 * Resolves and plans. Throws UsageError for malformed or unknown IDs, options the planner rejects and
 * reductions it cannot plan (missing calibrations), naming what is wrong.
 */
export async function planSoda(d: PlanSodaDeps, req: SodaRequest): Promise<SodaPlan> {
  const { ids, frameIds, fields, usable, regions } = await resolveSoda(d, req);
  if (!frameIds.length && !fields.length) return { ids, plan: null, regions };
  const plan = createPlan({ frames: usable, request: { frameIds, fields }, options: req.options, presets: d.presets, pipeline: d.pipeline });
  return { ids, plan, regions };
}
