// The plan summary a job document carries (step count, estimate, products, first warnings); pure.
import type { Plan, PlanSummary } from '../domain/plan.js';

/** Warnings beyond this many are counted, not listed: a night of odd frames must not grow every poll. */
export const summaryWarningLimit = 10;

export function summarisePlan(plan: Plan): PlanSummary {
  return {
    formatVersion: plan.formatVersion,
    reducerVersion: plan.reducerVersion,
    estimate: { ...plan.estimate },
    products: plan.targets.flatMap((t) => t.products.map((p) => ({ request: t.request, stepId: p.stepId, fileName: p.fileName, arm: p.arm, kind: p.kind }))),
    warnings: plan.warnings.slice(0, summaryWarningLimit),
    warningCount: plan.warnings.length,
  };
}
