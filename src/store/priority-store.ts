// The PRIORITY job parameter as stored (uws_parameter): read when a job's plan is handed to the engine.
import type { Queryable } from './db.js';

/** The job's PRIORITY value (already validated at creation), or 0 when it has none. */
export async function jobPriority(db: Queryable, jobId: string): Promise<number> {
  const { rows } = await db.query<{ value: string }>(
    `select value from uws_parameter where job_id = $1 and name = 'PRIORITY' order by position limit 1`,
    [jobId],
  );
  const n = rows.length ? Number(rows[0].value) : 0;
  return Number.isInteger(n) && n > 0 ? n : 0;
}
