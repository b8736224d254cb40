// The JSON bodies of drsoda's own HTTP API (GET /api/frames, /api/frame, /soda/async/{id}/steps and
// /soda/async/{id}/turnaround): the one contract the server routes declare their answers with and the web app
// (web/src/api) reads them by. It imports nothing, so both builds can include it; docs/archive.md, docs/web.md
// and docs/quick-turnaround.md describe the fields. IVOA XML answers (UWS, DataLink, VOSI) are not here: their
// standards are the contract, and the web app parses them itself.

/** One raw frame, as listed by GET /api/frames (and `drsoda frames --json`). */
export interface FrameJson {
  /** Frame DID, e.g. ivo://drsoda.example.org/aat?2014-09-26/ccd1/0023. */
  id: string;
  /** UT date YYYY-MM-DD. */
  night: string;
  ccd: 1 | 2;
  arm: 'blue' | 'red';
  run: number;
  ndfClass: string;
  object: string;
  /** CFG_FILE without .sds; '' for frames without a 2dF configuration. */
  field: string;
  /** Field selector DID (all frames of this configuration on this night), or null. */
  fieldId: string | null;
  cfgFile: string;
  plate: 0 | 1 | null;
  gratId: string;
  lambdaCAngstrom: number;
  dispersionAngstromPerPx: number;
  exposedS: number;
  utStart: string;
  utMjd: number;
  meanRaDeg: number | null;
  meanDecDeg: number | null;
  /** From AIRMASS, else sec(ZDSTART); null when the header has neither. */
  airmass: number | null;
  /** SEEING keyword (arcsec); null when the header has none (2dF headers usually do not). */
  seeingArcsec: number | null;
  flaps: string;
  lampName: string;
  speed: string;
  naxis1: number;
  naxis2: number;
  fileName: string;
  /** Path below the archive root, e.g. 140926/ccd_1/26sep10023.fits. */
  path: string;
  sizeBytes: number;
  sha256: string;
  mtime: string;
  /** Download URL of the raw file. */
  url: string;
}

/** One fibre of a frame's 2dF configuration (a row of its FIBRES table). */
export interface FibreJson {
  /** 1-based slit position. */
  fibre: number;
  name: string;
  /** 2dF fibre type: P program, S sky, F guide, N unused, U unallocated (other letters pass through). */
  type: string;
  /** Null for parked fibres, whose coordinates the file holds as NaN. */
  raRad: number | null;
  decRad: number | null;
  pivot: number;
  magnitude: number | null;
}

/** GET /api/frames: one page of the listing; `next` is the URL of the following page, null on the last. */
export interface FramesPageJson {
  total: number;
  offset: number;
  limit: number;
  next: string | null;
  frames: FrameJson[];
}

/** GET /api/frame?ID=: one frame with its fibres. */
export interface FrameWithFibresJson extends FrameJson {
  fibres: FibreJson[];
}

/** One fibre of one field on one night that matched GET /api/fibres (a target search). */
export interface FibreHitJson {
  night: string;
  field: string;
  /** Field selector DID: reduce it whole, or cut it to this fibre with CIRCLE. */
  fieldId: string;
  fibre: number;
  name: string;
  type: string;
  raDeg: number;
  decDeg: number;
  pivot: number;
  magnitude: number | null;
  /** Distance from the cone centre (arcsec); null for a name search. */
  distanceArcsec: number | null;
  /** The object frames holding the fibre: every exposure, both arms. */
  frames: Array<{ id: string; run: number; arm: 'blue' | 'red'; exposedS: number }>;
}

/** GET /api/fibres: the matches, nearest (cone) or by name first; `truncated` when more than `limit` matched. */
export interface FibreSearchJson {
  limit: number;
  truncated: boolean;
  hits: FibreHitJson[];
}

/** GET /api/frame/header?ID=: the cards of every header of the raw file, in file order. */
export interface FrameHeaderJson {
  id: string;
  fileName: string;
  hdus: Array<{ index: number; name: string; cards: Array<{ key: string; value: string | number | boolean | null; comment: string | null }> }>;
}

export type StepState = 'waiting' | 'ready' | 'running' | 'done' | 'failed' | 'cancelled';

export type StepFailureKind = 'fatal' | 'transient' | 'usage';

/** A product file of a done step. */
export interface StepProductJson {
  fileName: string;
  size: number;
  /** Owner-only download URL. */
  url: string;
  /** Quick-look PNG URL, or null when the product has none (yet). */
  preview: string | null;
}

/** Which other job's run made a step (StepJson.madeBy). */
export interface StepMadeByJson {
  kind: 'reused' | 'shared';
  jobId: string | null;
}

/** One step of a job's DAG; times are ISO 8601, null until they happen. */
export interface StepJson {
  id: string;
  /** Place in plan (dependency) order. */
  position: number;
  operation: string;
  label: string;
  night: string | null;
  arm: string | null;
  /** A step shared with another job shows its one shared state. */
  state: StepState;
  attempts: number;
  maxAttempts: number;
  readyAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  estimatedCostS: number | null;
  /** Ids of other steps of the same list. */
  dependsOn: string[];
  exitCode: number | null;
  failureKind: StepFailureKind | null;
  errorMessage: string | null;
  /** What ran the step: the image id (container per step and sandbox) or the local command. */
  runtime: string | null;
  /** The pipeline the step was planned for, whose id is hashed into the step id (docs/reducer.md#pipeline-identity). */
  pipeline: string | null;
  /** URL of the step's log (GET .../steps/{step}/log), null until the step has run. */
  log: string | null;
  /**
   * Null when the step ran for this job. Otherwise another job's run made it: `reused` (done before this job asked
   * for it; its times are that run's) or `shared` (already running for that job). `jobId` names that job while it
   * exists and belongs to this job's owner, else null.
   */
  madeBy: StepMadeByJson | null;
  products: StepProductJson[];
}

/** GET /soda/async/{id}/steps. */
export interface StepsJson {
  jobId: string;
  /** The job's UWS phase. */
  phase: string;
  counts: Partial<Record<StepState, number>>;
  steps: StepJson[];
}

/** Stages between the five instants of an auto-reduced frame; total = landed to finished. */
export type TurnaroundStage = 'ingest' | 'plan' | 'queue' | 'run' | 'total';

/** One frame of an auto job: when it landed, was ingested, planned, started and finished (ISO 8601). */
export interface FrameTurnaroundJson {
  /** Frame DID. */
  id: string;
  relPath: string | null;
  landed: string | null;
  ingested: string | null;
  planned: string;
  started: string | null;
  finished: string | null;
  /** Seconds per stage; null where an instant is unknown (a frame that was already there, a job still running). */
  seconds: Record<TurnaroundStage, number | null>;
}

/** GET /soda/async/{id}/turnaround: the latency record of an archive watcher's auto job. */
export interface TurnaroundJson {
  jobId: string;
  /** The watch rule that made the job. */
  rule: string;
  kind: 'frame' | 'field';
  subject: string;
  priority: number;
  phase: string | null;
  frames: FrameTurnaroundJson[];
}
