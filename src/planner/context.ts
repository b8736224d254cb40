// What the step builders share while one plan is built: the graph, the frame index, options and memo; pure.
import type { FrameRecord } from '../domain/frame.js';
import type { IdxFile, PlanOptions, RawInput } from '../domain/plan.js';
import type { FrameIndex } from './frame-index.js';
import type { StepGraph } from './step-graph.js';

export interface PlanContext {
  graph: StepGraph;
  index: FrameIndex;
  options: PlanOptions;
  idxFor: (gratId: string) => IdxFile;
  /** Results (or the MissingCalibration thrown) per builder call, so each raw frame is reduced once. */
  memo: Map<string, { value?: unknown; error?: unknown }>;
}

export function memoise<T>(ctx: PlanContext, key: string, make: () => T): T {
  const hit = ctx.memo.get(key);
  if (hit) {
    if ('error' in hit) throw hit.error;
    return hit.value as T;
  }
  try {
    const value = make();
    ctx.memo.set(key, { value });
    return value;
  } catch (error) {
    ctx.memo.set(key, { error });
    throw error;
  }
}

export function rawInput(f: FrameRecord): RawInput {
  return { kind: 'raw', frameId: f.id, relPath: f.relPath, fileName: f.fileName, sha256: f.sha256 };
}

/** `26sep10033.fits` -> `26sep10033` (2dfdr names every product after the raw file's root). */
export function rootOf(f: FrameRecord): string {
  return f.fileName.replace(/\.fits?$/i, '');
}

export const pixelsOf = (f: FrameRecord) => f.naxis1 * f.naxis2;
