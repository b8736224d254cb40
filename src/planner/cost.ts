// Estimated run time of a step: a per-operation table for one full AAOmega frame, scaled by frame size; pure.
import type { Extraction, Operation, Step } from '../domain/plan.js';

/** Raw AAOmega frame including overscan (2dfdr-domain-notes §2.2): the size the table below is for. */
export const referencePixels = 2070 * 4098;

/**
 * Seconds on one modern core for a full frame, from the ranges in 2dfdr-domain-notes §6 (no published timings;
 * mid-range GAUSS-extraction values). combine_* and splice are per input file.
 */
export const baseCostS: Record<Operation, number> = {
  reduce_bias: 8,
  reduce_dark: 10,
  reduce_lflat: 12,
  make_tlm: 40,
  reduce_arc: 60,
  reduce_fflat: 60,
  reduce_sky: 90,
  reduce_object: 120,
  combine_image: 2,
  combine_spectra: 3,
  splice: 3,
};

/** Optimal extraction is "several times" slower than GAUSS (§6); TRAM (sum) is cheaper. */
export const extractionFactor: Record<Extraction, number> = { GAUSS: 1, TRAM: 0.5, OPTEX: 4, SMCOPTEX: 5 };

const extracting = new Set<Operation>(['reduce_fflat', 'reduce_sky', 'reduce_object']);
const perInput = new Set<Operation>(['combine_image', 'combine_spectra', 'splice']);

/** Per call, whatever the frame size: starting aaorun, its DRAMA task and reading the idx (§3.3). */
export const startupCostS = 1;

export function estimateCostS(op: Operation, pixels: number, inputs: number, extraction: Extraction): number {
  let s = baseCostS[op] * (pixels / referencePixels);
  if (extracting.has(op)) s *= extractionFactor[extraction];
  if (perInput.has(op)) s *= inputs;
  return Math.round((startupCostS + s) * 10) / 10;
}

/** Total cost and the longest dependency chain; steps must be in dependency order. */
export function summarise(steps: readonly Step[]): { totalCostS: number; criticalPathS: number } {
  const finish = new Map<string, number>();
  let total = 0;
  let critical = 0;
  for (const s of steps) {
    let start = 0;
    for (const d of s.dependsOn) start = Math.max(start, finish.get(d) ?? 0);
    const end = start + s.estimatedCostS;
    finish.set(s.id, end);
    total += s.estimatedCostS;
    critical = Math.max(critical, end);
  }
  return { totalCostS: Math.round(total * 10) / 10, criticalPathS: Math.round(critical * 10) / 10 };
}
