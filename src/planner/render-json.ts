// The plan as JSON: keys sorted at every level, so equal plans serialise to identical bytes; pure.
import type { Plan } from '../domain/plan.js';
import { canonicalJson } from './hash.js';

export function planToJson(plan: Plan): string {
  return canonicalJson(plan, 2) + '\n';
}
