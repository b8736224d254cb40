// `drsoda doctor`'s look at a database it may not be able to use: one short-lived connection with a deadline,
// the server version and the migrations applied, and which of the two stages failed when one does.
import pg from 'pg';
import { appliedMigrations } from './ops-store.js';

export type DatabaseProbe =
  | { ok: true; serverVersion: string; applied: Array<{ id: number; name: string }> }
  | { ok: false; stage: 'connect' | 'query'; error: string };

const msg = (err: unknown) => (err as Error)?.message ?? String(err);

export async function probeDatabase(url: string, timeoutMs: number): Promise<DatabaseProbe> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, application_name: 'drsoda-doctor' });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    return { ok: false, stage: 'connect', error: msg(err) };
  }
  try {
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version') as v");
    return { ok: true, serverVersion: rows[0].v, applied: await appliedMigrations(client) };
  } catch (err) {
    return { ok: false, stage: 'query', error: msg(err) };
  } finally {
    await client.end().catch(() => {});
  }
}
