// Turns a request (frame ids and/or night + CFG_FILE field selectors) into the frames to reduce, per arm; pure.
import type { Arm } from '../domain/frame.js';
import type { FieldSelector, IgnoredFrame, PlanOptions, PlanRequest, PlanTarget } from '../domain/plan.js';
import { usageError } from '../errors.js';
import type { FrameIndex, IndexedFrame } from './frame-index.js';
import type { StepGraph } from './step-graph.js';

export interface ResolvedTarget {
  request: string;
  kind: PlanTarget['kind'];
  /** In time order, blue before red for one exposure. */
  frames: IndexedFrame[];
}

/** CFG_FILE compared case-insensitively, with or without .sds (field DIDs drop it). */
const configKey = (cfgFile: string) => cfgFile.trim().toLowerCase().replace(/\.sds$/, '');

export const armsOf = (o: PlanOptions): Arm[] => (o.arms === 'both' ? ['blue', 'red'] : [o.arms]);

export function describeSelector(s: FieldSelector): string {
  return `night=${s.night} cfgFile=${s.cfgFile}${s.plate === undefined ? '' : ` plate=${s.plate}`}`;
}

function byExposure(a: IndexedFrame, b: IndexedFrame): number {
  return a.frame.utMjd - b.frame.utMjd || a.frame.run - b.frame.run || a.frame.ccd - b.frame.ccd;
}

/**
 * Resolves every request item; a requested frame brings the same exposure on the other selected arm (warned when
 * that arm has no usable frame).
 * @throws ServiceError UsageError listing every unknown, unusable or empty request item.
 */
export function resolveTargets(
  request: PlanRequest,
  index: FrameIndex,
  ignored: readonly IgnoredFrame[],
  options: PlanOptions,
  graph: StepGraph,
): ResolvedTarget[] {
  const frameIds = request.frameIds ?? [];
  const fields = request.fields ?? [];
  if (frameIds.length + fields.length === 0) throw usageError('nothing to reduce: give at least one frame ID or a field (night and CFG_FILE)');
  const arms = armsOf(options);
  const ignoredById = new Map(ignored.map((i) => [i.frameId, i]));
  const problems: string[] = [];
  const targets: ResolvedTarget[] = [];

  for (const id of frameIds) {
    const f = index.byId.get(id);
    if (!f) {
      const why = ignoredById.get(id);
      problems.push(why ? `${why.fileName} (${id}) cannot be reduced: ${why.reason}` : `no frame ${id} in the archive index`);
      continue;
    }
    if (!arms.includes(f.frame.arm)) {
      problems.push(`${f.frame.fileName} is a ${f.frame.arm}-arm frame but ARMS=${options.arms}`);
      continue;
    }
    const frames: IndexedFrame[] = [];
    for (const arm of arms) {
      const x = arm === f.frame.arm ? f : index.exposure(f.frame.night, f.frame.run, arm);
      if (x) frames.push(x);
      else graph.warn('MISSING_ARM', `no usable ${arm}-arm frame for run ${f.frame.run} of ${f.frame.night} (${f.frame.fileName}): only the ${f.frame.arm} arm is reduced`);
    }
    targets.push({ request: id, kind: f.cls === 'MFOBJECT' ? 'object' : 'calibration', frames: frames.sort(byExposure) });
  }

  for (const sel of fields) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(sel.night) || !sel.cfgFile?.trim()) {
      problems.push(`a field needs a night (YYYY-MM-DD) and a CFG_FILE: ${describeSelector(sel)}`);
      continue;
    }
    const cfg = configKey(sel.cfgFile);
    const frames: IndexedFrame[] = [];
    for (const arm of arms) {
      for (const f of index.ofClass(sel.night, arm, 'MFOBJECT')) {
        if (configKey(f.frame.cfgFile) === cfg && (sel.plate === undefined || f.frame.plate === sel.plate)) frames.push(f);
      }
    }
    if (!frames.length) {
      problems.push(`no object frames (MFOBJECT) on ${sel.night} with CFG_FILE ${sel.cfgFile}${sel.plate === undefined ? '' : ` plate ${sel.plate}`} on the ${arms.join(' or ')} arm`);
      continue;
    }
    targets.push({ request: describeSelector(sel), kind: 'field', frames: frames.sort(byExposure) });
  }

  if (problems.length) throw usageError(problems.join('; '));
  return targets;
}
