// simulateNight: one 2dF-AAOmega night of raw frames (both arms) plus its truth file, under outDir/YYMMDD.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { nightDir } from './astro-time.js';
import { armNames, type ArmName } from './instrument.js';
import { buildTruth } from './model.js';
import { planNight, resolveOptions, type FrameClass, type SimulateOptions } from './plan.js';
import { renderFrames, type FrameJob, type FrameProgress } from './pool.js';
import type { NightTruth } from './truth.js';

export const TRUTH_FILE = 'drsoda-truth.json';

export interface SimulatedFrame {
  run: number;
  arm: ArmName;
  ccd: 1 | 2;
  ndfClass: FrameClass;
  /** Field name for per-field frames, null for detector calibrations. */
  field: string | null;
  /** Absolute path. */
  file: string;
  /** Path relative to outDir, e.g. 140926/ccd_1/26sep10023.fits. */
  relPath: string;
  bytes: number;
}

export interface NightSummary {
  night: string;
  /** Absolute path of outDir/YYMMDD. */
  nightDir: string;
  truthFile: string;
  size: NightTruth['size'];
  seed: number;
  exposures: number;
  frames: SimulatedFrame[];
  totalBytes: number;
  elapsedMs: number;
  concurrency: number;
}

/**
 * Simulates a night. Deterministic: the same options give byte-identical files whatever the concurrency.
 * Throws SimulateOptionsError for invalid options (bad date, too many exposures for one night).
 */
export async function simulateNight(options: SimulateOptions, onFrame?: FrameProgress): Promise<NightSummary> {
  const started = performance.now();
  const o = resolveOptions(options);
  const truth = buildTruth(o, planNight(o));
  const outDir = path.resolve(o.outDir);
  const nightAbs = path.join(outDir, nightDir(o.night));
  await mkdir(path.join(nightAbs, 'ccd_1'), { recursive: true });
  await mkdir(path.join(nightAbs, 'ccd_2'), { recursive: true });
  const jobs: FrameJob[] = truth.exposures.flatMap((_, i) => armNames.map((arm, k) => ({ id: i * 2 + k, exposure: i, arm })));
  const concurrency = o.concurrency ?? Math.max(1, availableParallelism());
  const results = await renderFrames(truth, nightAbs, jobs, concurrency, onFrame);
  const frames = jobs.map((j): SimulatedFrame => {
    const r = results.get(j.id);
    if (!r || 'error' in r) throw new Error(`frame ${j.id} was not written`);
    const e = truth.exposures[j.exposure];
    return {
      run: e.run, arm: j.arm, ccd: truth.arms[j.arm].ccd, ndfClass: e.ndfClass,
      field: e.field === null ? null : truth.fields[e.field].name,
      file: r.file, relPath: path.relative(outDir, r.file).split(path.sep).join('/'), bytes: r.bytes,
    };
  });
  const truthFile = path.join(nightAbs, TRUTH_FILE);
  const tmp = `${truthFile}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(truth));
  await rename(tmp, truthFile);
  return {
    night: o.night, nightDir: nightAbs, truthFile, size: o.size, seed: o.seed, exposures: truth.exposures.length, frames,
    totalBytes: frames.reduce((a, f) => a + f.bytes, 0), elapsedMs: Math.round(performance.now() - started), concurrency,
  };
}
