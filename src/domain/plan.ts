// A reduction plan: the DAG of 2dFdr steps that turns requested raw frames into products; pure types shared by
// the planner (which builds it), the execution engine (which runs it) and the UWS jobInfo renderer.
import type { Arm, NdfClass } from './frame.js';

/** The aaorun operations a plan uses (2dfdr-domain-notes §3.1). */
export type Operation =
  | 'reduce_bias'
  | 'combine_image'
  | 'reduce_dark'
  | 'reduce_lflat'
  | 'make_tlm'
  | 'reduce_arc'
  | 'reduce_fflat'
  | 'reduce_sky'
  | 'reduce_object'
  | 'combine_spectra'
  | 'splice';

/** A raw archive frame; the executor places it in the step's work directory as `fileName`. */
export interface RawInput {
  kind: 'raw';
  frameId: string;
  relPath: string;
  fileName: string;
  /** sha256 of the raw file (part of the step identity). */
  sha256: string;
}

/** A file produced by an earlier step of the same plan; placed in the work directory as `fileName`. */
export interface ProductInput {
  kind: 'product';
  stepId: string;
  fileName: string;
}

export type StepInput = RawInput | ProductInput;

/** A 2dfdr .idx parameter file the executor writes into the work directory before running the step. */
export interface IdxFile {
  fileName: string;
  /** Pipeline preset and grating it was generated from. */
  preset: string;
  grating: string;
  /** Exact file content; the executor writes it verbatim. */
  content: string;
}

export interface Step {
  /**
   * sha256 (hex, first 32 digits) of PLAN_RECIPE_VERSION (planner/recipe-version.ts) + the pipeline id + operation +
   * input identities + idx content + argv.
   */
  id: string;
  operation: Operation;
  /** Human-readable one-liner, e.g. "reduce_object 26sep10033.fits". */
  label: string;
  night: string;
  /** 'both' only for splice. */
  arm: Arm | 'both';
  /** Every file the step reads except the idx file, in argv order. */
  inputs: StepInput[];
  idx: IdxFile;
  /** Every file the step writes (bare names in its work directory). */
  outputs: string[];
  /** The subset of outputs later steps or users consume. */
  products: string[];
  /** aaorun argv (without the program name); every file argument is a bare name in the work directory. */
  argv: string[];
  /** Ids of the steps whose products this step reads, sorted. */
  dependsOn: string[];
  estimatedCostS: number;
}

export type Extraction = 'GAUSS' | 'OPTEX' | 'SMCOPTEX' | 'TRAM';
export type ThroughputMethod = 'OFFSKY' | 'SKYFLUX(MED)' | 'SKYFLUX(COR)' | 'NONE';

/** Reduction options after defaults are applied. */
export interface PlanOptions {
  arms: Arm | 'both';
  idxPreset: string;
  extraction: Extraction;
  throughput: ThroughputMethod;
  skySubtraction: boolean;
  /** Combine the object frames of one field (night + CFG_FILE + plate + arm) with combine_spectra. */
  combine: boolean;
  /** Splice blue and red products of the same field or exposure. */
  splice: boolean;
}

/** All object frames of one 2dF configuration on one night. */
export interface FieldSelector {
  night: string;
  cfgFile: string;
  plate?: 0 | 1;
}

export interface PlanRequest {
  /** Archive frame ids (DIDs): object frames get a full reduction, calibration frames their own reduction. */
  frameIds?: string[];
  fields?: FieldSelector[];
}

export type ProductKind = 'reduced' | 'tlm' | 'combined' | 'spliced';

/** One file of one step: the pair names the same bytes wherever the step's products are cached. */
export interface ProductRef {
  stepId: string;
  fileName: string;
}

/** A final product of a plan target, with the arm it covers and what kind of product it is. */
export interface TargetProduct extends ProductRef {
  arm: Arm | 'both';
  kind: ProductKind;
}

export interface PlanTarget {
  /** The request item: a frame id, or "night=… cfgFile=… [plate=…]". */
  request: string;
  kind: 'object' | 'calibration' | 'field';
  /** Raw frames this target reduces (both arms when requested). */
  frameIds: string[];
  /** Final products, per arm, then combined and spliced. */
  products: TargetProduct[];
}

export type CalibrationRole = 'bias' | 'dark' | 'lflat' | 'tlm' | 'wavel' | 'fflat' | 'thput';

/** Why a calibration was chosen for one reduced frame. */
export interface MatchedCalibration {
  frameId: string;
  fileName: string;
  role: CalibrationRole;
  /** The product used, or null when the calibration is switched off (e.g. -USEBIASIM 0). */
  stepId: string | null;
  calibrationFile: string | null;
  /** Raw frames behind the calibration product. */
  calibrationFrameIds: string[];
  reason: string;
  fallback: boolean;
}

export interface PlanWarning {
  code: string;
  message: string;
}

export interface IgnoredFrame {
  frameId: string;
  fileName: string;
  ndfClass: NdfClass;
  reason: string;
}

export interface ReclassifiedFrame {
  frameId: string;
  fileName: string;
  from: NdfClass;
  to: NdfClass;
  reason: string;
}

export interface PlanEstimate {
  steps: number;
  /** Sum of all step costs (one core). */
  totalCostS: number;
  /** Longest dependency chain: the wall time with unlimited parallelism. */
  criticalPathS: number;
}

/**
 * The reducer program that runs a plan's steps, as the runner choice resolves it (executor/pipeline-identity.ts):
 * its id is hashed into every step id, so products of one pipeline are never reused by another.
 */
export interface PipelineIdentity {
  /** Changes whenever the program does: `image sha256:...` (Docker image id), `program sha256:...`, `version X`. */
  id: string;
  /** For people: the image name with its id, the program with its hash, or the configured version. */
  description: string;
}

export interface Plan {
  formatVersion: 1;
  reducerVersion: string;
  /** The pipeline the steps are planned for (hashed into their ids; recorded on each step row). */
  pipeline: PipelineIdentity;
  options: PlanOptions;
  /** Steps in dependency order: every product input comes from an earlier step. */
  steps: Step[];
  targets: PlanTarget[];
  calibrations: MatchedCalibration[];
  warnings: PlanWarning[];
  ignored: IgnoredFrame[];
  reclassified: ReclassifiedFrame[];
  estimate: PlanEstimate;
}

/** A final product with the request item it answers. */
export interface SummaryProduct extends TargetProduct {
  request: string;
}

/**
 * What a polling client needs of a plan, small whatever the plan's size: the job document's jobInfo carries this
 * and links the full plan ({job}/plan). A plain object, so new facts are one more field here and in the writer.
 */
export interface PlanSummary {
  formatVersion: 1;
  reducerVersion: string;
  estimate: PlanEstimate;
  products: SummaryProduct[];
  /** The first warnings (at most summaryWarningLimit); warningCount says how many the plan has. */
  warnings: PlanWarning[];
  warningCount: number;
}
