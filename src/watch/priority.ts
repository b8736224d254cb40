// Priority lanes: the PRIORITY job parameter (an integer 0..PRIORITY_MAX) that only permitted users may set
// (PRIORITY_USERS, e.g. a target-of-opportunity team; admins; the watcher's service identity). It is a
// job-manager parameter: checked here, hidden from the job kind's runner, and handed to the engine, which
// claims ready steps by priority plus aging, then per-owner fairness, then age (store/step-claim-store.ts).
// Nothing running is ever killed: a higher priority only changes which ready step starts next.
import type { PrioritySettings } from '../config.js';
import { ServiceError, usageError } from '../errors.js';
import type { Engine } from '../scheduler/engine.js';
import type { Queryable } from '../store/db.js';
import { jobPriority } from '../store/priority-store.js';
import type { Caller, JobParameter } from '../domain/job.js';
import type { JobRunner } from '../uws/types.js';

export const PRIORITY_PARAM = 'PRIORITY';

export interface PriorityPolicy {
  /** User ids that may set a priority; '*' = every caller. Admins always may. */
  users: readonly string[];
  max: number;
}

/** PRIORITY_USERS and PRIORITY_MAX, plus the watcher's service identity (WATCH_USER), whose auto jobs may be prioritised. */
export function priorityPolicy(priority: PrioritySettings, watchUser: string): PriorityPolicy {
  return { users: [...priority.users, watchUser], max: priority.max };
}

const isPriority = (p: { name: string }) => p.name.toUpperCase() === PRIORITY_PARAM;

/** The PRIORITY value of these parameters (undefined when absent). Throws UsageError for a bad or repeated one. */
export function parsePriority(params: readonly JobParameter[], max: number): number | undefined {
  const given = params.filter(isPriority);
  if (!given.length) return undefined;
  if (given.length > 1) throw new ServiceError('MultiValuedParamNotSupported', `${PRIORITY_PARAM} may be given once`);
  const v = given[0].value.trim();
  if (given[0].byReference || !/^\d{1,4}$/.test(v) || Number(v) > max) {
    throw usageError(`${PRIORITY_PARAM} must be an integer from 0 to ${max} (got ${JSON.stringify(given[0].value.slice(0, 40))})`);
  }
  return Number(v);
}

export function mayPrioritise(policy: PriorityPolicy, caller: Caller): boolean {
  return caller.admin || policy.users.includes('*') || (caller.userId !== null && policy.users.includes(caller.userId));
}

/**
 * The runner with PRIORITY checked (value at validation, caller at authorization: a priority above 0 from a
 * user not permitted is an AuthorizationError, 403) and removed from what the runner sees.
 */
export function withPriorityParam(runner: JobRunner, policy: PriorityPolicy): JobRunner {
  const strip = (params: readonly JobParameter[]) => params.filter((p) => !isPriority(p));
  return {
    kind: runner.kind,
    authorize(caller, params) {
      const p = parsePriority(params, policy.max);
      if (p && !mayPrioritise(policy, caller)) {
        throw new ServiceError('AuthorizationError', `${PRIORITY_PARAM} is reserved for target-of-opportunity users (PRIORITY_USERS); leave it out to queue normally`);
      }
      runner.authorize?.(caller, strip(params));
    },
    validate(params) {
      parsePriority(params, policy.max);
      runner.validate(strip(params));
    },
    ...(runner.describe ? { describe: (params: readonly JobParameter[], job: { id: string }) => runner.describe!(strip(params), job) } : {}),
    ...(runner.estimateS ? { estimateS: (params: readonly JobParameter[]) => runner.estimateS!(strip(params)) } : {}),
    start: (job, ctx) => runner.start({ ...job, parameters: strip(job.parameters) }, ctx),
    abort: (job) => runner.abort(job),
  };
}

/** The engine with each job's stored PRIORITY applied when its plan is submitted (unless one is passed). */
export function withJobPriority<E extends Pick<Engine, 'submit'>>(engine: E, db: Queryable): E {
  return {
    ...engine,
    submit: async (jobId: string, ownerId: string, plan: Parameters<Engine['submit']>[2], priority?: number) =>
      engine.submit(jobId, ownerId, plan, priority ?? (await jobPriority(db, jobId))),
  };
}
