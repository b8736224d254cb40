// Making one auto job: the subject is claimed in the database first (so two watchers, or a restart, never make
// it twice), then an ordinary SODA job is created and run through the /soda/async job list as the service
// identity (plan preview in jobInfo, shared cache, SODA results), then its frames and readers are recorded.
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { addJobReaders, EVERYONE } from '../store/job-reader-store.js';
import { claimAutoJob, dropClaim, markAutoJobCreated, type AutoJobClaim } from '../store/watch-store.js';
import type { JobList } from '../uws/job-list.js';
import type { Caller, Job } from '../domain/job.js';
import { jobParameters, type AutoRule } from './rules.js';

export interface AutoJobDeps {
  pool: Pool;
  jobs: Pick<JobList, 'create'>;
  /** The service identity (WATCH_USER) that owns auto jobs. */
  owner: Caller;
  /** Anonymous mode: every caller is the same anonymous user, so auto jobs are readable by all. */
  public: boolean;
  log: Logger;
}

export interface AutoJobRequest {
  rule: AutoRule;
  kind: AutoJobClaim['kind'];
  subject: string;
  night: string;
  /** The SODA ID: a frame or field DID. */
  id: string;
  /** Raw frames the job reduces (its latency record). */
  frameIds: readonly string[];
  readers: readonly string[];
}

export type AutoJobOutcome = { created: Job } | { taken: true } | { failed: string };

/** Creates the job unless the subject is already claimed. Never throws for a job the service refuses. */
export async function createAutoJob(d: AutoJobDeps, r: AutoJobRequest): Promise<AutoJobOutcome> {
  const claim = await claimAutoJob(d.pool, { rule: r.rule.name, kind: r.kind, subject: r.subject, night: r.night, priority: r.rule.priority });
  if (claim === null) return { taken: true };
  let job: Job;
  try {
    job = await d.jobs.create(d.owner, {
      parameters: jobParameters(r.rule, r.id),
      runId: `auto:${r.rule.name}`,
      // Kept as long as the service allows (UWS_MAX_DESTRUCTION_S): nobody asked for it, so nobody renews it.
      destruction: new Date(Date.now() + 100 * 365 * 86400_000),
      run: true,
    });
  } catch (err) {
    // The plan could not be made after all (the archive changed since the rules looked): try again later.
    await dropClaim(d.pool, claim).catch(() => {});
    return { failed: (err as Error).message };
  }
  await markAutoJobCreated(d.pool, claim, job.id, r.frameIds);
  await addJobReaders(d.pool, job.id, d.public ? [...r.readers, EVERYONE] : r.readers);
  d.log.info({ jobId: job.id, rule: r.rule.name, kind: r.kind, subject: r.subject, id: r.id, priority: r.rule.priority, frames: r.frameIds.length }, 'auto job created');
  return { created: job };
}
