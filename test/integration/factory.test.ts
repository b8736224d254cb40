// The composition root builds each service once per process: `serve --watch` has one job manager, one engine and
// one LISTEN connection however many parts ask for them, everything it built is gone after close(), and without an
// archive it refuses SODA with the one clear message instead of running some other job kind.
import { systemClock } from '../../src/clock.js';
import { noArchiveMessage } from '../../src/archive/archive-root.js';
import { createFactory, type Factory } from '../../src/factory.js';
import { createLogger } from '../../src/logger.js';
import { fakeAaorun, fakeArchive } from '../support/engine.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { until } from '../support/ops-receivers.js';

const log = createLogger('silent');

async function listenConnections(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = 'drsoda-listen'`,
    [db.name],
  );
  return rows[0].n;
}

describe('composition root', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('builds serve --watch with one job manager, one engine and one LISTEN connection, and closes them all', async () => {
    const config = testConfig({
      ARCHIVE_ROOT: fakeArchive([]), EXECUTOR: 'local', AAORUN_COMMAND: `sh ${fakeAaorun}`, WORKER_CONCURRENCY: '1',
      AUTO_REDUCE_RULES: '{"rules": []}', WATCH_POLL_MS: '100',
    });
    const factory: Factory = createFactory({ config, pool: db.pool, log, clock: systemClock });
    try {
      await factory.httpApp({ upSince: new Date(), shutdown: new AbortController().signal });
      const watcher = await factory.watcher({ fileEvents: false });
      expect(await factory.watcher()).toBe(watcher);
      const jobs = await factory.jobs();
      expect(await factory.jobs()).toBe(jobs);
      const engine = await factory.engine({ work: true });
      expect(await factory.engine({ work: false })).toBe(engine);
      expect(engine.worker).toBeDefined();
      // The job manager, the worker and the notifier all listen, on one connection.
      await factory.listener().ready();
      await until('LISTEN connections', () => listenConnections(db), (n) => n === 1, 15000);
      expect(await listenConnections(db)).toBe(1);
    } finally {
      await factory.close();
    }
    await until('LISTEN connections after close', () => listenConnections(db), (n) => n === 0, 15000);
  });

  it('refuses SODA without an archive, with the message that says what to set', async () => {
    const factory = createFactory({ config: testConfig({ DEMO_ARCHIVE: 'false' }), pool: db.pool, log, clock: systemClock });
    try {
      expect(() => factory.archiveRoot()).toThrow(noArchiveMessage);
      await expect(factory.jobs()).rejects.toThrow(noArchiveMessage);
      await expect(factory.httpApp({ upSince: new Date(), shutdown: new AbortController().signal })).rejects.toThrow(noArchiveMessage);
    } finally {
      await factory.close();
    }
  });
});
