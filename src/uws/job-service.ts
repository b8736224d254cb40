// The job manager: job lists per runner kind, WAIT wake-ups from the process's notification listener, local runs,
// and the reaper that enforces execution durations and destruction times. Created once in the composition root.
import type { Clock } from '../clock.js';
import type { UwsSettings } from '../config.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../store/db.js';
import { destroyDueJobs, expireOverdueJobs, type SweptJob } from '../store/job-list-store.js';
import { createExecutions } from './executions.js';
import { createHandover, type Handover, type HandoverSettings } from './handover.js';
import { recoverJobDirs, removeJobDir } from './job-files.js';
import { deleteUnusedPlanBodies, getJob } from '../store/job-store.js';
import { createJobList, type JobList } from './job-list.js';
import type { NotificationListener } from '../store/notification-listener.js';
import { createPhaseWaiters } from './phase-waiters.js';
import { createJobTransitions, type JobTransitions } from './transitions.js';
import { terminalPhases } from '../domain/job.js';
import type { JobRunner } from './types.js';

export interface JobServiceDeps {
  pool: Pool;
  clock: Clock;
  uws: UwsSettings;
  /** DATA_DIR: job dirs live under DATA_DIR/uws. */
  dataDir: string;
  /** SHUTDOWN_GRACE_MS: how long close() lets local runs finish. */
  shutdownGraceMs: number;
  runners: readonly JobRunner[];
  /** The process's LISTEN connection (the composition root's; not closed here). */
  listener: NotificationListener;
  log: Logger;
  /** Reaper period (default 1000 ms); 0 disables the timer (tests then call sweep()). */
  sweepIntervalMs?: number;
  /** Largest job list page (default 1000). */
  pageSize?: number;
  /** Durable hand-over of QUEUED jobs (handover.ts): this process's id, the lease and the pass period. */
  handover?: HandoverSettings;
}

export interface SweepReport {
  expired: SweptJob[];
  destroyed: SweptJob[];
  /** Shared plan bodies no job names any more, deleted (at most once a minute). */
  planBodies: number;
}

export interface JobService {
  /** The job list of one runner kind; throws for a kind with no runner. */
  forKind(kind: string): JobList;
  transitions: JobTransitions;
  /** Renews this process's hand-over leases and takes over QUEUED jobs of processes that died. */
  handover: Handover;
  /** One reaper pass: overdue jobs to ERROR, then due jobs deleted with their files. */
  sweep(): Promise<SweepReport>;
  /** Stops the reaper and the local runs (up to the shutdown grace), and wakes every WAIT. */
  close(): Promise<void>;
}

const sweepBatch = 500;
// A shared plan body younger than this is never deleted: a creation batch may have stored it and not yet named it.
const planBodyGraceMs = 3600_000;
const planBodySweepMs = 60_000;

export function createJobService(d: JobServiceDeps): JobService {
  const log = d.log.child({ component: 'uws' });
  const transitions = createJobTransitions({ pool: d.pool, clock: d.clock, dataDir: d.dataDir });
  const waiters = createPhaseWaiters(d.listener);
  const executions = createExecutions({ transitions, dataDir: d.dataDir, log });
  const runners = new Map(d.runners.map((r) => [r.kind, r]));
  const handover = createHandover({ ...d.handover, pool: d.pool, clock: d.clock, log, executions, runners });
  const lists = new Map<string, JobList>();

  // A job finished, aborted or deleted by any process stops its local run here.
  const unsubscribe = d.listener.subscribe('uws_job', ({ jobId, phase }) => {
    if (phase === 'DELETED' || (terminalPhases as readonly string[]).includes(phase)) executions.abortLocal(jobId, phase);
  });

  const abortElsewhere = async (jobs: SweptJob[]) => {
    for (const j of jobs) {
      executions.abortLocal(j.id, 'ERROR');
      await Promise.resolve(runners.get(j.kind)?.abort({ id: j.id, kind: j.kind })).catch((err) => log.warn({ err, jobId: j.id }, 'runner abort failed'));
    }
  };

  async function sweep(): Promise<SweepReport> {
    const now = d.clock.now();
    const expired = await expireOverdueJobs(d.pool, now, sweepBatch);
    await abortElsewhere(expired);
    const destroyed = await destroyDueJobs(d.pool, now, sweepBatch);
    await abortElsewhere(destroyed.filter((j) => !(terminalPhases as readonly string[]).includes(j.phase)));
    for (const j of destroyed) await removeJobDir(d.dataDir, j.id).catch((err) => log.warn({ err, jobId: j.id }, 'could not remove job files'));
    let planBodies = 0;
    if (now.getTime() - lastPlanSweep >= planBodySweepMs) {
      lastPlanSweep = now.getTime();
      planBodies = await deleteUnusedPlanBodies(d.pool, new Date(now.getTime() - planBodyGraceMs), sweepBatch).catch((err: { code?: string; message: string }) => {
        // A creation naming a body this pass chose: it stays, and the next pass looks again.
        if (err.code !== '23503') log.warn({ err: err.message }, 'could not delete unused plan bodies');
        return 0;
      });
    }
    if (expired.length || destroyed.length || planBodies) log.info({ expired: expired.length, destroyed: destroyed.length, planBodies }, 'uws reaper pass');
    return { expired, destroyed, planBodies };
  }
  let lastPlanSweep = -Infinity;

  // Job dirs a crashed process of this host left mid-creation: finish or remove them (docs/reliability.md).
  let sweeping: Promise<unknown> = recoverJobDirs(d.dataDir, async (id) => (await getJob(d.pool, id)) !== null).then(
    (n) => n && log.info({ repaired: n }, 'job dirs left by a crashed process repaired'),
    (err) => log.warn({ err: (err as Error).message }, 'could not check job dirs left by crashed processes'),
  );
  const interval = d.sweepIntervalMs ?? 1000;
  const timer =
    interval > 0
      ? setInterval(() => {
          sweeping = sweep().catch((err) => log.warn({ err: (err as Error).message }, 'uws reaper pass failed'));
        }, interval)
      : undefined;
  timer?.unref();

  return {
    forKind(kind) {
      let list = lists.get(kind);
      if (list) return list;
      const runner = runners.get(kind);
      if (!runner) throw new Error(`no runner for job kind ${kind}`);
      list = createJobList({ pool: d.pool, clock: d.clock, uws: d.uws, dataDir: d.dataDir, runner, waiters, executions, handover, pageSize: d.pageSize ?? 1000 });
      lists.set(kind, list);
      return list;
    },
    transitions,
    handover,
    sweep,
    async close() {
      clearInterval(timer);
      await sweeping;
      await handover.stop();
      await executions.close(d.shutdownGraceMs);
      // A start the shutdown interrupted gives its job up at once, so another process takes it over.
      await handover.drain();
      unsubscribe();
      waiters.close();
    },
  };
}
