// Durable hand-over of QUEUED jobs. The process that accepts PHASE=RUN records itself with the job and a lease it
// renews while the job's runner is starting (for SODA: planning and submitting the steps to the engine); when the
// runner's start() returns the lease ends. Every process with a job manager (`drsoda serve`, `drsoda worker`,
// `drsoda watch`) also takes over QUEUED jobs whose lease expired because their process died, one process per job
// (store/handover-store.ts), and starts them itself. Starting twice is harmless for the engine's runners (a
// submitted plan's steps are shared by id), so a stalled process that lost its lease is only logged.
import os from 'node:os';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { claimOrphanedJobs, endHandover, failAbandonedHandovers, renewHandovers, type HandoverLease } from '../store/handover-store.js';
import { getJob } from '../store/job-store.js';
import type { Job } from '../domain/job.js';
import type { Executions } from './executions.js';
import type { JobRunner } from './types.js';

/** A job whose hand-over this many processes held and lost ends in ERROR rather than stopping the next one. */
export const maxHandoverAttempts = 3;

export interface HandoverSettings {
  /** This process (host:pid:random); default a new one. */
  owner?: string;
  /** Seconds a hand-over lease lasts without renewal (STEP_LEASE_S); default 30. */
  leaseS?: number;
  /** How often to renew and look for orphans; default a third of the lease; 0 = never (tests call pass()). */
  intervalMs?: number;
}

export interface HandoverDeps extends HandoverSettings {
  pool: Pool;
  clock: Clock;
  log: Logger;
  executions: Executions;
  runners: ReadonlyMap<string, JobRunner>;
}

export interface PassReport {
  /** Jobs taken over from a process that stopped renewing their lease. */
  takenOver: string[];
  /** Jobs ended in ERROR after maxHandoverAttempts processes lost them. */
  failed: string[];
}

export interface Handover {
  /** This process's lease, recorded with every job it queues. */
  readonly lease: HandoverLease;
  /** Starts a job this process holds the hand-over of; the lease is renewed until the runner's start() settles. */
  start(job: Job, runner: JobRunner): void;
  /** One pass: renew the leases held, fail jobs abandoned too often, take over orphaned ones. */
  pass(): Promise<PassReport>;
  /** Stops renewing and taking over (before the local runs are stopped). */
  stop(): Promise<void>;
  /** Waits for the hand-overs under way to record how they ended (after the local runs were stopped). */
  drain(): Promise<void>;
}

export function createHandover(d: HandoverDeps): Handover {
  const lease: HandoverLease = { owner: d.owner ?? `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`, leaseS: d.leaseS ?? 30 };
  const log = d.log.child({ component: 'handover' });
  const held = new Set<string>();
  const ending = new Set<Promise<void>>();
  const kinds = [...d.runners.keys()];
  let stopped = false;

  function start(job: Job, runner: JobRunner): void {
    held.add(job.id);
    const end = d.executions
      .start(job, runner)
      .then(async (outcome) => {
        held.delete(job.id);
        // If this write fails the lease just runs out and another process starts the job again: harmless.
        await endHandover(d.pool, job.id, lease.owner, outcome === 'interrupted');
        if (outcome === 'interrupted') log.info({ jobId: job.id }, 'hand-over interrupted by shutdown; left for another process');
      })
      .catch((err) => log.warn({ err: (err as Error).message, jobId: job.id }, 'could not record the end of a hand-over'))
      .finally(() => ending.delete(end));
    ending.add(end);
  }

  async function pass(): Promise<PassReport> {
    const mine = [...held];
    const renewed = new Set(await renewHandovers(d.pool, lease.owner, mine, lease.leaseS));
    for (const id of mine) if (held.has(id) && !renewed.has(id)) log.warn({ jobId: id }, 'hand-over lease lost (this process stalled); another process may start the job too');
    const failed = await failAbandonedHandovers(d.pool, kinds, maxHandoverAttempts, d.clock.now());
    for (const j of failed) {
      log.warn({ jobId: j.id }, 'job ended in ERROR: it stopped every process that took it over');
      await Promise.resolve(d.runners.get(j.kind)?.abort(j)).catch((err) => log.warn({ err, jobId: j.id }, 'runner abort failed'));
    }
    if (stopped) return { takenOver: [], failed: failed.map((j) => j.id) };
    const claimed = await claimOrphanedJobs(d.pool, { ...lease, kinds, maxAttempts: maxHandoverAttempts, held: [...held], limit: 20 });
    const takenOver: string[] = [];
    for (const c of claimed) {
      const job = await getJob(d.pool, c.id);
      const runner = d.runners.get(c.kind);
      if (!job || job.phase !== 'QUEUED' || !runner || stopped) {
        // Gone, moved on, or this process is stopping: let the next process have it at once.
        await endHandover(d.pool, c.id, lease.owner, true);
        continue;
      }
      log.info({ jobId: c.id, kind: c.kind, from: c.previousOwner }, 'took over a queued job whose process stopped');
      takenOver.push(c.id);
      start(job, runner);
    }
    return { takenOver, failed: failed.map((j) => j.id) };
  }

  const intervalMs = d.intervalMs ?? Math.max(200, (lease.leaseS * 1000) / 3);
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running || stopped) return;
    running = pass()
      .catch((err) => log.warn({ err: (err as Error).message }, 'hand-over pass failed'))
      .finally(() => (running = undefined));
  };
  const timer = intervalMs > 0 ? setInterval(tick, intervalMs) : undefined;
  timer?.unref();
  // A process starting up looks at once for jobs a dead predecessor left (their leases may have run out already).
  if (timer) setImmediate(tick);

  return {
    lease,
    start,
    pass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
    async drain() {
      await Promise.allSettled([...ending]);
    },
  };
}
