import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, readMigrations, MigrationError } from '../../src/store/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

describe('migrate', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterEach(async () => {
    await db.drop();
  });

  it('applies every migration exactly once when several processes start together', async () => {
    const migrations = readMigrations();
    const results = await Promise.all(Array.from({ length: 6 }, () => migrate(db.pool, migrations)));
    const appliedNames = results.flat();
    expect(appliedNames.sort()).toEqual(migrations.map((m) => m.name).sort());
    const { rows } = await db.pool.query('select id from drsoda_migrations order by id');
    expect(rows.map((r) => r.id)).toEqual(migrations.map((m) => m.id));
    expect(await migrate(db.pool, migrations)).toEqual([]);
  });

  it('leaves the database as it was when a migration fails', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-mig-'));
    writeFileSync(path.join(dir, '000001_good.sql'), 'create table good_table (id int);');
    writeFileSync(path.join(dir, '000002_bad.sql'), 'create table half_done (id int); select no_such_function();');
    await expect(migrate(db.pool, readMigrations(dir))).rejects.toThrow(MigrationError);
    const tables = await db.pool.query(`select tablename from pg_tables where tablename in ('good_table','half_done')`);
    expect(tables.rows.map((r) => r.tablename)).toEqual(['good_table']);
    const { rows } = await db.pool.query('select name from drsoda_migrations');
    expect(rows.map((r) => r.name)).toEqual(['000001_good']);
  });

  it('hands QUEUED jobs stranded before the hand-over lease existed to the next live process (000008)', async () => {
    const all = readMigrations();
    await migrate(db.pool, all.filter((m) => m.id < 8));
    const insert = `insert into uws_job (id, kind, phase, creation_time, execution_duration) values ($1, 'soda', $2, now(), 0)`;
    await db.pool.query(insert, ['stranded', 'QUEUED']);
    await db.pool.query(insert, ['submitted', 'QUEUED']);
    await db.pool.query(`insert into job_plan (job_id, plan) values ('submitted', '{}')`);
    await db.pool.query(insert, ['pending', 'PENDING']);
    await migrate(db.pool, all);
    const { rows } = await db.pool.query(`select id, handover_expires <= now() as expired, handover_attempts from uws_job order by id`);
    expect(rows).toEqual([
      { id: 'pending', expired: null, handover_attempts: 0 },
      { id: 'stranded', expired: true, handover_attempts: 1 },
      { id: 'submitted', expired: null, handover_attempts: 0 },
    ]);
  });

  it('refuses a database newer than the code', async () => {
    await migrate(db.pool);
    await db.pool.query(`insert into drsoda_migrations (id, name) values (999999, '999999_future')`);
    await expect(migrate(db.pool)).rejects.toThrow(/999999_future/);
  });
});
