// GET /soda/async/{id}/steps (src/http/steps-router.ts): the job's step DAG with states and timings.
import type { StepJson, StepsJson } from '../../../src/domain/api-types';
import { getJson, getText } from './http';
import { jobUrl } from './uws';

export type { StepJson, StepsJson };

export const getSteps = (id: string, signal?: AbortSignal) => getJson<StepsJson>(`${jobUrl(id)}/steps`, { signal });
export const getStepLog = (url: string) => getText(url);
