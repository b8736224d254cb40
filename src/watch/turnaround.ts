// Latency accounting of auto-reduced frames: for each frame of an auto job, when its file landed, was ingested,
// planned (the job created), started and finished; as a JSON document for the job (GET /soda/async/{id}/turnaround)
// and, once per ended job, in the Prometheus registry (drsoda_turnaround_seconds by stage).
import client from 'prom-client';
import type { TurnaroundJson, TurnaroundStage } from '../domain/api-types.js';
import type { Logger } from '../logger.js';
import type { Queryable } from '../store/db.js';
import { autoJobTimes, markAccounted, unaccountedEndedJobs, type AutoJobTimes } from '../store/turnaround-store.js';

/** Stages between the five instants; total = landed to finished. */
export const stages: readonly TurnaroundStage[] = ['ingest', 'plan', 'queue', 'run', 'total'];

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const span = (a: Date | null, b: Date | null) => (a && b ? Math.max(0, (b.getTime() - a.getTime()) / 1000) : null);

export function turnaroundDocument(t: AutoJobTimes): TurnaroundJson {
  return {
    jobId: t.jobId,
    rule: t.rule,
    kind: t.kind,
    subject: t.subject,
    priority: t.priority,
    phase: t.phase,
    frames: t.frames.map((f) => ({
      id: f.frameId,
      relPath: f.relPath,
      landed: iso(f.landedAt),
      ingested: iso(f.ingestedAt),
      planned: t.plannedAt.toISOString(),
      started: iso(t.startedAt),
      finished: iso(t.finishedAt),
      seconds: {
        ingest: span(f.landedAt, f.ingestedAt),
        plan: span(f.ingestedAt, t.plannedAt),
        queue: span(t.plannedAt, t.startedAt),
        run: span(t.startedAt, t.finishedAt),
        total: span(f.landedAt, t.finishedAt),
      },
    })),
  };
}

// From a few seconds (a cached small frame) to hours (a field waiting for its quiet period).
const buckets = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400];

export interface TurnaroundMetrics {
  observe(t: AutoJobTimes): void;
  fileOutcome(outcome: 'ingested' | 'failed'): void;
}

/** Registers the watcher's metrics in registry (the process's /metrics registry, src/ops/metrics.ts). */
export function createTurnaroundMetrics(registry: client.Registry, landing: () => number): TurnaroundMetrics {
  const seconds = new client.Histogram({
    name: 'drsoda_turnaround_seconds', help: 'Auto-reduced frames: seconds per stage (ingest, plan, queue, run) and from landing to reduced (total), by auto job kind', labelNames: ['kind', 'stage'], buckets, registers: [registry],
  });
  const jobs = new client.Counter({ name: 'drsoda_auto_jobs_total', help: 'Auto jobs of the archive watcher that ended, by kind and phase', labelNames: ['kind', 'phase'], registers: [registry] });
  const files = new client.Counter({ name: 'drsoda_watch_files_total', help: 'Landed files the archive watcher ingested or could not index', labelNames: ['outcome'], registers: [registry] });
  new client.Gauge({ name: 'drsoda_watch_landing_files', help: 'Files the archive watcher sees landing (not yet complete)', registers: [registry], collect() { this.set(landing()); } });
  for (const outcome of ['ingested', 'failed']) files.inc({ outcome }, 0);
  return {
    observe(t) {
      jobs.inc({ kind: t.kind, phase: t.phase ?? 'DELETED' });
      if (t.phase !== 'COMPLETED') return;
      for (const f of turnaroundDocument(t).frames) {
        for (const stage of stages) {
          const s = f.seconds[stage];
          if (s !== null) seconds.observe({ kind: t.kind, stage }, s);
        }
      }
    },
    fileOutcome: (outcome) => files.inc({ outcome }),
  };
}

/** Counts every ended, not yet counted auto job exactly once (compare-and-set across watcher processes). */
export async function accountEndedJobs(db: Queryable, metrics: TurnaroundMetrics, log: Logger): Promise<number> {
  let n = 0;
  for (const t of await unaccountedEndedJobs(db)) {
    if (!(await markAccounted(db, t.autoJobId))) continue;
    metrics.observe(t);
    n++;
    const total = turnaroundDocument(t).frames.map((f) => f.seconds.total).filter((s): s is number => s !== null);
    log.info({ jobId: t.jobId, kind: t.kind, subject: t.subject, phase: t.phase, landedToFinishedS: total.length ? Math.max(...total) : null }, 'auto job ended');
  }
  return n;
}

export interface TurnaroundRecords {
  /** The turnaround document of an auto job (GET /soda/async/{id}/turnaround); null for a job made by hand. */
  ofJob(jobId: string): Promise<TurnaroundJson | null>;
}

export function createTurnaroundRecords(db: Queryable): TurnaroundRecords {
  return {
    ofJob: async (jobId) => {
      const times = await autoJobTimes(db, jobId);
      return times ? turnaroundDocument(times) : null;
    },
  };
}
