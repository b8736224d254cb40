// service_instance rows: one per process start, closed on clean shutdown.
import type { Queryable } from './db.js';

export type InstanceRole = 'serve' | 'worker' | 'watch' | 'cli';

export async function recordInstanceStart(
  db: Queryable,
  i: { id: string; role: InstanceRole; hostname: string; pid: number; version: string },
): Promise<Date> {
  const { rows } = await db.query<{ started_at: Date }>(
    `insert into service_instance (id, role, hostname, pid, version) values ($1, $2, $3, $4, $5) returning started_at`,
    [i.id, i.role, i.hostname, i.pid, i.version],
  );
  return rows[0].started_at;
}

export async function recordInstanceStop(db: Queryable, id: string): Promise<void> {
  await db.query('update service_instance set stopped_at = now() where id = $1 and stopped_at is null', [id]);
}
