// The quote (UWS 1.1 section 2.1.7): when the job is expected to end if it runs from now. Honest means
// we say "don't know" (nil) rather than invent: the runner's own estimate when it can compute one,
// else the median run time of the kind's recent completed jobs, else nil.
import type { Pool } from '../store/db.js';
import { recentRunTime } from '../store/job-list-store.js';
import type { JobParameter } from '../domain/job.js';
import type { JobRunner } from './types.js';

/** How many recent completed jobs the median is taken over, and how many are needed to trust it. */
const historySample = 50;
const historyMinimum = 3;

/** How long the median of recent run times is reused: a quote is an estimate, not worth a query per new job. */
const historyReuseMs = 5000;

/** estimateRunS with the history median read at most once per historyReuseMs (per job list and process). */
export function createRunTimeEstimate(pool: Pool, runner: JobRunner, nowMs: () => number): (params: readonly JobParameter[]) => Promise<number | null> {
  let history: { at: number; value: Promise<number | null> } | undefined;
  return async (params) => {
    const own = runner.estimateS?.(params);
    if (own !== undefined && Number.isFinite(own) && own >= 0) return own;
    const now = nowMs();
    if (!history || now - history.at >= historyReuseMs || now < history.at) {
      const value = recentRunTime(pool, runner.kind, historySample).then((h) => (h.count >= historyMinimum && h.medianS !== null ? h.medianS : null));
      history = { at: now, value };
      value.catch(() => {
        if (history?.value === value) history = undefined;
      });
    }
    return history.value;
  };
}

export async function estimateRunS(pool: Pool, runner: JobRunner, params: readonly JobParameter[]): Promise<number | null> {
  const own = runner.estimateS?.(params);
  if (own !== undefined && Number.isFinite(own) && own >= 0) return own;
  const h = await recentRunTime(pool, runner.kind, historySample);
  return h.count >= historyMinimum && h.medianS !== null ? h.medianS : null;
}

/** from + estimate, but never beyond the execution deadline (the job is stopped there). */
export function quoteFrom(from: Date, estimateS: number | null, executionDurationS: number): Date | null {
  if (estimateS === null) return null;
  const s = executionDurationS > 0 ? Math.min(estimateS, executionDurationS) : estimateS;
  return new Date(from.getTime() + Math.round(s * 1000));
}
