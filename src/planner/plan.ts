// The planner's entry point: archive frames + request + options -> Plan (a DAG of 2dFdr steps). Pure and
// deterministic: no I/O, and the same frames in any order give the same plan.
import type { FrameRecord } from '../domain/frame.js';
import type { PipelineIdentity, Plan, PlanRequest, TargetProduct } from '../domain/plan.js';
import { ServiceError, usageError } from '../errors.js';
import { classifyFrames } from './classify.js';
import type { PlanContext } from './context.js';
import { summarise } from './cost.js';
import { reduceDetectorFrame } from './detector-steps.js';
import { planArcReduction, planFibreFlatReduction, planObjectReduction, planSkyReduction, planTramlineMap } from './fibre-steps.js';
import { addFieldSteps, type ReducedObject } from './field-steps.js';
import { FrameIndex, type IndexedFrame } from './frame-index.js';
import { resolvePlanOptions, type PlanOptionsInput } from './options.js';
import { createIdxLookup, type PipelinePresets } from './presets.js';
import { MissingCalibration, StepGraph } from './step-graph.js';
import { resolveTargets } from './targets.js';
import { PLAN_RECIPE_VERSION } from './recipe-version.js';

export interface PlanInput {
  /** Archive index rows: the requested frames and every frame of their nights that may calibrate them. */
  frames: readonly FrameRecord[];
  request: PlanRequest;
  options?: PlanOptionsInput;
  presets: PipelinePresets;
  /** The reducer the steps will run on (the runner choice's identity): part of every step id. */
  pipeline: PipelineIdentity;
}

/** Most missing calibrations listed in one UsageError message. */
const maxListed = 20;

/** The products a requested frame yields on its own: its reduced file (and the tramline map of a fibre flat). */
function reduceTarget(ctx: PlanContext, f: IndexedFrame): TargetProduct[] {
  const arm = f.frame.arm;
  const ref = (p: { stepId: string; fileName: string }, kind: TargetProduct['kind']): TargetProduct => ({ stepId: p.stepId, fileName: p.fileName, arm, kind });
  switch (f.cls) {
    case 'BIAS':
    case 'DARK':
    case 'LFLAT':
      return [ref(reduceDetectorFrame(ctx, f, ctx.idxFor(f.frame.gratId)), 'reduced')];
    case 'MFFFF':
      return [ref(planTramlineMap(ctx, f), 'tlm'), ref(planFibreFlatReduction(ctx, f), 'reduced')];
    case 'MFARC':
      return [ref(planArcReduction(ctx, f), 'reduced')];
    case 'MFSKY':
      return [ref(planSkyReduction(ctx, f), 'reduced')];
    case 'MFOBJECT':
      return [ref(planObjectReduction(ctx, f), 'reduced')];
  }
}

/**
 * Plans the reduction of the requested frames or fields.
 * @throws ServiceError UsageError for bad options, unknown or unusable frames, an idx preset without the grating,
 *   or calibrations that are missing with no documented fallback (all of them named in one message).
 */
export function createPlan(input: PlanInput): Plan {
  const options = resolvePlanOptions(input.options, input.presets);
  const idxFor = createIdxLookup(input.presets, options.idxPreset);
  const classification = classifyFrames(input.frames);
  const index = new FrameIndex(classification.frames);
  const graph = new StepGraph(options, input.pipeline);
  const ctx: PlanContext = { graph, index, options, idxFor, memo: new Map() };
  const targets = resolveTargets(input.request, index, classification.ignored, options, graph);

  const missing = new Set<string>();
  const objects = new Map<string, ReducedObject>();
  const own = new Map<string, TargetProduct[]>();
  for (const t of targets) {
    for (const f of t.frames) {
      if (own.has(f.frame.id)) continue;
      try {
        const refs = reduceTarget(ctx, f);
        own.set(f.frame.id, refs);
        if (f.cls === 'MFOBJECT') objects.set(f.frame.id, { frame: f, product: { stepId: refs[0].stepId, fileName: refs[0].fileName, frameIds: [f.frame.id] } });
      } catch (e) {
        if (e instanceof MissingCalibration || (e instanceof ServiceError && e.label === 'UsageError')) missing.add(e.message);
        else throw e;
      }
    }
  }
  if (missing.size) {
    const list = [...missing].sort();
    const more = list.length > maxListed ? `; and ${list.length - maxListed} more` : '';
    throw usageError(`cannot plan the reduction: ${list.slice(0, maxListed).join('; ')}${more}`);
  }
  const fieldRefs = addFieldSteps(ctx, [...objects.values()]);

  const steps = graph.orderedSteps();
  return {
    formatVersion: 1,
    reducerVersion: PLAN_RECIPE_VERSION,
    pipeline: input.pipeline,
    options,
    steps,
    targets: targets.map((t) => {
      const refs = [...t.frames.flatMap((f) => own.get(f.frame.id) ?? []), ...t.frames.flatMap((f) => fieldRefs.get(f.frame.id) ?? [])];
      const seen = new Set<string>();
      const kindOrder = { reduced: 0, tlm: 0, combined: 1, spliced: 2 };
      const products = refs
        .filter((r) => !seen.has(r.stepId + r.fileName) && seen.add(r.stepId + r.fileName))
        .sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind]);
      return { request: t.request, kind: t.kind, frameIds: t.frames.map((f) => f.frame.id), products };
    }),
    calibrations: graph.orderedCalibrations(),
    warnings: graph.orderedWarnings(),
    ignored: classification.ignored,
    reclassified: classification.reclassified,
    estimate: { steps: steps.length, ...summarise(steps) },
  };
}
