// Latency records of auto jobs: per frame when it landed and was ingested (auto_job_frame), when the job was
// planned (auto_job.created_at), started and finished (uws_job); read for the job's turnaround document and
// counted once into the metrics when the job ends (migrations/000006_watch.sql).
import type { Queryable } from './db.js';

export interface FrameTimes {
  frameId: string;
  relPath: string | null;
  landedAt: Date | null;
  ingestedAt: Date | null;
}

export interface AutoJobTimes {
  autoJobId: number;
  rule: string;
  kind: 'frame' | 'field';
  subject: string;
  priority: number;
  jobId: string;
  phase: string | null;
  plannedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  frames: FrameTimes[];
}

const select = `
  select a.id, a.rule, a.kind, a.subject, a.priority, a.job_id, a.created_at, j.phase, j.start_time, j.end_time,
    coalesce((select json_agg(json_build_object('frameId', af.frame_id, 'relPath', f.rel_path, 'landedAt', af.landed_at, 'ingestedAt', af.ingested_at)
                              order by f.night, f.run, f.ccd)
                from auto_job_frame af left join frame f on f.id = af.frame_id where af.auto_job_id = a.id), '[]') as frames
    from auto_job a left join uws_job j on j.id = a.job_id`;

const date = (v: string | null) => (v === null ? null : new Date(v));

function toTimes(r: Record<string, unknown>): AutoJobTimes {
  const frames = (r.frames as Array<{ frameId: string; relPath: string | null; landedAt: string | null; ingestedAt: string | null }>).map((f) => ({
    frameId: f.frameId, relPath: f.relPath, landedAt: date(f.landedAt), ingestedAt: date(f.ingestedAt),
  }));
  return {
    autoJobId: Number(r.id), rule: r.rule as string, kind: r.kind as 'frame' | 'field', subject: r.subject as string, priority: r.priority as number,
    jobId: r.job_id as string, phase: r.phase as string | null, plannedAt: r.created_at as Date,
    startedAt: r.start_time as Date | null, finishedAt: r.end_time as Date | null, frames,
  };
}

/** The auto job behind a UWS job, or null for a job made by hand. */
export async function autoJobTimes(db: Queryable, jobId: string): Promise<AutoJobTimes | null> {
  const { rows } = await db.query(`${select} where a.job_id = $1 and a.state = 'created'`, [jobId]);
  return rows[0] ? toTimes(rows[0]) : null;
}

/** Created auto jobs, oldest first (optionally of one night); for the CLI, the tests and the benchmark. */
export async function listAutoJobTimes(db: Queryable, o: { night?: string; limit?: number } = {}): Promise<AutoJobTimes[]> {
  const { rows } = await db.query(
    `${select} where a.state = 'created' and ($1::date is null or a.night = $1::date) order by a.created_at, a.id limit $2`,
    [o.night ?? null, o.limit ?? 10000],
  );
  return rows.map(toTimes);
}

/** Auto jobs that ended and were not yet counted into the metrics. */
export async function unaccountedEndedJobs(db: Queryable, limit = 100): Promise<AutoJobTimes[]> {
  const { rows } = await db.query(
    `${select} where a.state = 'created' and a.accounted_at is null
        and (j.id is null or j.phase in ('COMPLETED', 'ERROR', 'ABORTED'))
      order by a.created_at limit $1`,
    [limit],
  );
  return rows.map(toTimes);
}

/** Compare-and-set: true for the one process that gets to count the job. */
export async function markAccounted(db: Queryable, autoJobId: number): Promise<boolean> {
  const r = await db.query('update auto_job set accounted_at = now() where id = $1 and accounted_at is null', [autoJobId]);
  return r.rowCount === 1;
}

/** Subjects abandoned by the rules, with why (for the CLI and the operator's log review). */
export async function abandonedSubjects(db: Queryable, night?: string): Promise<Array<{ kind: string; subject: string; reason: string | null }>> {
  const { rows } = await db.query(
    `select kind, subject, reason from auto_job where state = 'abandoned' and ($1::date is null or night = $1::date) order by claimed_at`,
    [night ?? null],
  );
  return rows;
}
