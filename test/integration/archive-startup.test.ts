import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startArchive } from '../../src/archive/archive-startup.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testConfig } from '../support/config.js';
import { until } from '../support/ops-receivers.js';

/** startArchive's settings from a test configuration with these variables. */
function settings(env: Record<string, string>) {
  const c = testConfig(env);
  return { archive: c, baseUrl: c.baseUrl, authority: c.ivoAuthority };
}

describe('archive start-up', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('does nothing without ARCHIVE_ROOT when the demo is off', async () => {
    const s = startArchive({ ...settings({ DEMO_ARCHIVE: 'false' }), pool: db.pool, log: createLogger('silent') });
    await expect(s.done).resolves.toBeUndefined();
  });

  it('does not hold shutdown hostage to a demo simulation in progress', async () => {
    let started = false;
    const s = startArchive({
      ...settings({ DEMO_ARCHIVE: 'true', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'drsoda-startup-')) }),
      pool: db.pool,
      log: createLogger('silent'),
      makeDemo: () => {
        started = true;
        return new Promise<boolean>(() => {}); // a simulation that never ends
      },
    });
    expect(await until('the demo simulation started', () => started, (v) => v)).toBe(true);
    const t0 = Date.now();
    await s.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(s.done).resolves.toBeUndefined();
    expect((await db.pool.query('select count(*)::int as n from frame')).rows[0].n).toBe(0);
  });

  it('logs and survives an archive root that does not exist', async () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream);
    const s = startArchive({ ...settings({ ARCHIVE_ROOT: '/nonexistent/drsoda-archive' }), pool: db.pool, log });
    await expect(s.done).resolves.toBeUndefined();
    expect(lines.join('')).toMatch(/"msg":"archive start-up failed"/);
  });
});
