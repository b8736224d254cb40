// uws_job_reader: users who may read a job they do not own (migrations/000006_watch.sql). Auto jobs of the
// archive watcher are owned by a service identity and read by the users of the programme they reduced.
import type { Queryable } from './db.js';

/** Any caller: an auto job of a public archive (anonymous mode) or a programme open to all. */
export const EVERYONE = '*';

/** Adds readers to a job (idempotent). */
export async function addJobReaders(db: Queryable, jobId: string, userIds: readonly string[]): Promise<void> {
  if (!userIds.length) return;
  await db.query(
    `insert into uws_job_reader (job_id, user_id) select $1, u from unnest($2::text[]) as u on conflict do nothing`,
    [jobId, [...new Set(userIds)]],
  );
}

/** True when userId (null = the anonymous caller) may read the job as a reader. */
export async function isJobReader(db: Queryable, jobId: string, userId: string | null): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from uws_job_reader where job_id = $1 and (user_id = $2 or user_id = '${EVERYONE}') limit 1`,
    [jobId, userId ?? EVERYONE],
  );
  return rows.length > 0;
}

/** True when some job is shared with this caller (or with everyone): only then do listings look for shared jobs. */
export async function readsSharedJobs(db: Queryable, userId: string | null): Promise<boolean> {
  const { rows } = await db.query(`select exists (select 1 from uws_job_reader where user_id = any($1::text[])) as yes`, [userId === null ? [EVERYONE] : [userId, EVERYONE]]);
  return rows[0].yes;
}

export async function jobReaders(db: Queryable, jobId: string): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>('select user_id from uws_job_reader where job_id = $1 order by user_id', [jobId]);
  return rows.map((r) => r.user_id);
}
