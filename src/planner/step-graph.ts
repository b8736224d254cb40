// The growing DAG: content-addressed steps (one per id), plus the warnings and calibration choices made while
// building it; pure.
import type { Arm } from '../domain/frame.js';
import type { IdxFile, MatchedCalibration, Operation, PipelineIdentity, PlanOptions, PlanWarning, Step, StepInput } from '../domain/plan.js';
import { estimateCostS } from './cost.js';
import { contentId, sha256Hex } from './hash.js';
import { PLAN_RECIPE_VERSION } from './recipe-version.js';

/** A file a step produces, with the raw frames behind it (for the calibration report). */
export interface Product {
  stepId: string;
  fileName: string;
  frameIds: string[];
}

/** No calibration of a needed kind and no documented fallback: collected, then reported as one UsageError. */
export class MissingCalibration extends Error {
  override name = 'MissingCalibration';
}

/**
 * Pipeline stage of each kind of step. Every dependency has a strictly lower stage (bias combine < dark
 * reduction < dark combine < ... < splice), so sorting by stage is a topological order.
 */
export const stages = {
  reduce_bias: 0,
  combine_bias: 1,
  reduce_dark: 2,
  combine_dark: 3,
  reduce_lflat: 4,
  combine_lflat: 5,
  make_tlm: 6,
  reduce_arc: 7,
  reduce_fflat: 8,
  reduce_sky: 9,
  reduce_object: 10,
  combine_spectra: 11,
  splice: 12,
} as const;

export interface StepSpec {
  operation: Operation;
  stage: number;
  night: string;
  arm: Arm | 'both';
  label: string;
  /** The file argument(s): one raw file, or several product files joined with spaces (one argv element). */
  inputs: StepInput[];
  idx: IdxFile;
  /** argv after `-idxfile <idx>`. */
  options: string[];
  outputs: string[];
  products: string[];
  /** Calibration inputs that are not file arguments (TLM, arc, flat, bias, ...), in option order. */
  calibrationInputs?: StepInput[];
  pixels: number;
}

const armOrder = { blue: 0, red: 1, both: 2 } as const;
const roleOrder = { bias: 0, dark: 1, lflat: 2, tlm: 3, wavel: 4, fflat: 5, thput: 6 } as const;

// A plan uses a handful of idx files but thousands of steps: hash each content once.
const idxDigests = new WeakMap<IdxFile, string>();
function idxDigest(idx: IdxFile): string {
  let d = idxDigests.get(idx);
  if (!d) idxDigests.set(idx, (d = sha256Hex(idx.content)));
  return d;
}

/** What makes an input the same input: the raw file's id and checksum, or the producing step and file name. */
const identity = (i: StepInput) => (i.kind === 'raw' ? ['raw', i.frameId, i.sha256] : ['product', i.stepId, i.fileName]);

export class StepGraph {
  private readonly steps = new Map<string, { step: Step; stage: number }>();
  private readonly warnings = new Map<string, PlanWarning>();
  private readonly calibrations = new Map<string, MatchedCalibration>();

  constructor(
    readonly options: PlanOptions,
    /** Hashed into every step id: a product made by another pipeline (image, program) is never reused. */
    readonly pipeline: PipelineIdentity,
  ) {}

  /** Adds a step (or returns the identical one already present). */
  add(spec: StepSpec): Step {
    const fileArg = spec.inputs.map((i) => i.fileName).join(' ');
    const argv = [spec.operation, fileArg, '-idxfile', spec.idx.fileName, ...spec.options];
    const inputs = [...spec.inputs, ...(spec.calibrationInputs ?? [])];
    // The executor links every input into one work directory by its bare name, so names must be distinct.
    const names = new Set(inputs.map((i) => i.fileName));
    if (names.size !== inputs.length || names.has(spec.idx.fileName)) {
      throw new Error(`planner bug: ${spec.label} has two inputs named alike: ${inputs.map((i) => i.fileName).join(', ')}`);
    }
    const id = contentId([PLAN_RECIPE_VERSION, this.pipeline.id, spec.operation, inputs.map(identity), idxDigest(spec.idx), argv]);
    const existing = this.steps.get(id);
    if (existing) return existing.step;
    const dependsOn = [...new Set(inputs.flatMap((i) => (i.kind === 'product' ? [i.stepId] : [])))].sort();
    const step: Step = {
      id,
      operation: spec.operation,
      label: spec.label,
      night: spec.night,
      arm: spec.arm,
      inputs,
      idx: spec.idx,
      outputs: spec.outputs,
      products: spec.products,
      argv,
      dependsOn,
      estimatedCostS: estimateCostS(spec.operation, spec.pixels, spec.inputs.length, this.options.extraction),
    };
    this.steps.set(id, { step, stage: spec.stage });
    return step;
  }

  warn(code: string, message: string): void {
    this.warnings.set(`${code}\u0000${message}`, { code, message });
  }

  /** Records why a calibration was chosen for a frame (once per frame and role). */
  calibrate(c: MatchedCalibration): void {
    const key = `${c.frameId}\u0000${c.role}`;
    if (!this.calibrations.has(key)) this.calibrations.set(key, c);
  }

  /** Steps in a canonical topological order: stage, night, arm, label, id. */
  orderedSteps(): Step[] {
    return [...this.steps.values()]
      .sort(
        (a, b) =>
          a.stage - b.stage ||
          cmp(a.step.night, b.step.night) ||
          armOrder[a.step.arm] - armOrder[b.step.arm] ||
          cmp(a.step.label, b.step.label) ||
          cmp(a.step.id, b.step.id),
      )
      .map((s) => s.step);
  }

  orderedWarnings(): PlanWarning[] {
    return [...this.warnings.values()].sort((a, b) => cmp(a.code, b.code) || cmp(a.message, b.message));
  }

  orderedCalibrations(): MatchedCalibration[] {
    return [...this.calibrations.values()].sort(
      (a, b) => cmp(a.fileName, b.fileName) || cmp(a.frameId, b.frameId) || roleOrder[a.role] - roleOrder[b.role],
    );
  }
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
