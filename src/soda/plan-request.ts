// From a SODA request to a reduction plan: resolves each ID (raw frame, field or night DID) against the archive
// index, applies TIME to the object exposures it selects, and asks the planner for one plan covering every ID.
import { describeSelector } from '../planner/targets.js';
import { parseDid, type DidRef } from '../archive/dids.js';
import type { FrameRecord } from '../domain/frame.js';
import type { FieldSelector, Plan } from '../domain/plan.js';
import { ServiceError, usageError } from '../errors.js';
import { createPlan } from '../planner/plan.js';
import type { PipelinePresets } from '../planner/presets.js';
import type { Queryable } from '../store/db.js';
import { listFrames } from '../store/frame-store.js';
import type { SodaRequest } from './request.js';

export interface PlanSodaDeps {
  db: Queryable;
  authority: string;
  presets: PipelinePresets;
  /** Only frames indexed under this root are used (the archive the engine reads). */
  archiveRoot?: string;
}

export interface ResolvedId {
  id: string;
  ref: DidRef;
  /** Set when the ID selects nothing (TIME outside every exposure): its results are "no data" answers. */
  noData?: string;
}

export interface SodaPlan {
  ids: ResolvedId[];
  /** null when no ID selects anything to reduce. */
  plan: Plan | null;
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

/**
 * Resolves and plans. Throws UsageError for malformed or unknown IDs, options the planner rejects and
 * reductions it cannot plan (missing calibrations), naming what is wrong.
 */
export async function planSoda(d: PlanSodaDeps, req: SodaRequest): Promise<SodaPlan> {
  const refs = req.ids.map((id) => ({ id, ref: resolveRef(d.authority, id) }));
  const nights = [...new Set(refs.map((r) => r.ref.night))];
  const { frames: all } = await listFrames(d.db, { night: nights }, { limit: maxFramesPerNight, offset: 0 });
  const frames = d.archiveRoot === undefined ? all : all.filter((f) => f.root === d.archiveRoot);
  const byId = new Map(frames.map((f) => [f.id, f]));
  const time = req.timeMjd;
  const objects = frames.filter((f) => f.ndfClass === 'MFOBJECT' && f.cfgFile.trim() !== '');
  const inTime = (f: FrameRecord) => !time || exposureOverlaps(f, time);

  const ids: ResolvedId[] = [];
  const frameIds: string[] = [];
  const fields = new Map<string, FieldSelector>();
  const unknown: string[] = [];
  for (const { id, ref } of refs) {
    if (ref.kind === 'frame') {
      const f = byId.get(id);
      if (!f) unknown.push(id);
      else if (!inTime(f)) ids.push({ id, ref, noData: `frame ${f.fileName} was not exposed during TIME ${time![0]} ${time![1]}` });
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
    const selected = mine.filter(inTime);
    if (!selected.length) {
      ids.push({ id, ref, noData: `no object exposure of ${id} overlaps TIME ${time![0]} ${time![1]}` });
      continue;
    }
    ids.push({ id, ref });
    for (const f of selected) fields.set(`${f.night} ${configKey(f.cfgFile)}`, { night: f.night, cfgFile: ref.kind === 'field' ? ref.cfg : f.cfgFile });
  }
  if (unknown.length) throw usageError(`ID: not in the archive: ${unknown.join(', ')}`);
  if (!frameIds.length && !fields.size) return { ids, plan: null };

  // TIME narrows a field to the exposures that overlap it: the planner sees no other object frames of that
  // configuration (unless one is asked for by its own ID).
  const asked = new Set(frameIds);
  const usable = time ? frames.filter((f) => f.ndfClass !== 'MFOBJECT' || asked.has(f.id) || inTime(f)) : frames;
  const plan = createPlan({ frames: usable, request: { frameIds, fields: [...fields.values()] }, options: req.options, presets: d.presets });
  return { ids, plan };
}
