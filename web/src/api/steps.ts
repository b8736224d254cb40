// GET /soda/async/{id}/steps (src/http/steps-router.ts): the job's step DAG with states and timings.
import { getJson, getText } from './http';
import { jobUrl } from './uws';

export type StepState = 'waiting' | 'ready' | 'running' | 'done' | 'failed' | 'cancelled';

export interface StepProduct {
  fileName: string;
  size: number;
  url: string;
  preview: string | null;
}

export interface Step {
  id: string;
  position: number;
  operation: string;
  label: string;
  arm: string | null;
  state: StepState;
  attempts: number;
  maxAttempts: number;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  estimatedCostS: number | null;
  dependsOn: string[];
  failureKind: string | null;
  errorMessage: string | null;
  log: string | null;
  products: StepProduct[];
}

export interface StepsDocument {
  jobId: string;
  phase: string;
  counts: Partial<Record<StepState, number>>;
  steps: Step[];
}

export const getSteps = (id: string, signal?: AbortSignal) => getJson<StepsDocument>(`${jobUrl(id)}/steps`, { signal });
export const getStepLog = (url: string) => getText(url);
