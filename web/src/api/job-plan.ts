// The full plan a job runs, as JSON (GET {job}/plan?format=json, src/http/plan-router.ts; the Plan type of
// src/domain/plan.ts): options after defaults, calibrations chosen, warnings and estimate, kept after submission.
// The web may import only src/domain/api-types.ts, so the fields read here are declared here.
import { ApiError, getJson } from './http';
import { jobUrl } from './uws';

/** The part of the plan JSON the job page reads. */
export interface Plan {
  reducerVersion: string;
  pipeline: { id: string; description: string };
  options: { arms: string; idxPreset: string; extraction: string; throughput: string; skySubtraction: boolean; combine: boolean; splice: boolean };
  steps: Array<{ id: string; operation: string; label: string; dependsOn: string[]; estimatedCostS: number }>;
  calibrations: Array<{ frameId: string; fileName: string; role: string; stepId: string | null; calibrationFile: string | null; reason: string; fallback: boolean }>;
  warnings: Array<{ code: string; message: string }>;
  estimate: { steps: number; totalCostS: number; criticalPathS: number };
}

/** The job's plan, or null when it has none (a job whose every ID has no data, or a kind without plans). */
export async function getJobPlan(id: string, signal?: AbortSignal): Promise<Plan | null> {
  try {
    return await getJson<Plan>(`${jobUrl(id)}/plan?format=json`, { signal });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** Plan option -> the SODA parameter that sets it (src/soda/parameters.ts). */
export const optionParams: Record<keyof Plan['options'], string> = {
  arms: 'ARMS',
  idxPreset: 'IDX_PRESET',
  extraction: 'EXTRACTION',
  throughput: 'THROUGHPUT',
  skySubtraction: 'SKYSUB',
  combine: 'COMBINE',
  splice: 'SPLICE',
};
