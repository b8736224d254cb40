// One real PostgreSQL per test run: DATABASE_URL when set, else an embedded cluster in a fresh /tmp dir.
// A template database with every migration applied is built once; test files clone it (test/support/db.ts).
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/store/embedded.js';
import { createPool } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';

export const TEMPLATE_DB = 'drsoda_test_template';

declare global {
  // eslint-disable-next-line no-var
  var __drsodaStopPg: (() => Promise<void>) | undefined;
  // eslint-disable-next-line no-var
  var __drsodaPgDir: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    // CI clones into a folder postgres may not traverse, so the cluster lives under /tmp (mode 755).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-test-pg-'));
    chmodSync(dir, 0o755);
    const server = await startEmbeddedPostgres(path.join(dir, 'pg'));
    adminUrl = server.url;
    globalThis.__drsodaStopPg = server.stop;
    globalThis.__drsodaPgDir = dir;
  }
  process.env.DRSODA_TEST_ADMIN_URL = adminUrl;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
    await admin.query(`create database ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DB}`;
  const pool = createPool({ connectionString: url.toString(), max: 2, statementTimeoutMs: 60000, connectTimeoutMs: 10000 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
}
