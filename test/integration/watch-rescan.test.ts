// The watcher's safety net and idempotency, with file-system events switched off (as on a network file system):
// the periodic rescan alone finds new frames in changed folders and ingests them once; a file that is not a frame
// is never ingested; a restarted watcher re-ingests nothing.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { createFactory, type Factory } from '../../src/factory.js';
import type { Watcher } from '../../src/watch/watch-service.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testEngine } from '../support/engine.js';
import { emptyArchive, stageNight, type StagedNight } from '../support/watch-night.js';

describe('archive watcher without file-system events', () => {
  let db: TestDatabase;
  let staged: StagedNight;
  let root: string;
  let engine: Engine;
  let watcher: Watcher | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    staged = await stageNight({ night: '2026-06-09', fields: 1, objects: 1, seed: 4 });
    root = emptyArchive();
    // No rules: this test is about landing and ingesting, so the engine is never asked to run anything.
    engine = testEngine(db.pool, db.url, { archiveRoot: root });
  }, 120000);
  afterAll(async () => {
    await watcher?.stop();
    for (const f of factories) await f.close();
    await db.drop();
  });

  const config = () => testConfig({ ARCHIVE_ROOT: root, IVO_AUTHORITY: 'drsoda.test', WATCH_RESCAN_S: '1', WATCH_STABLE_MS: '200', WATCH_POLL_MS: '100', AUTO_REDUCE_RULES: '{"rules": []}' });
  const factories: Factory[] = [];
  // Each start is a new process's watcher: its own composition root over the shared database and engine.
  const start = () => {
    const factory = createFactory({ config: config(), pool: db.pool, log: createLogger('silent'), clock: systemClock, engine });
    factories.push(factory);
    return factory.watcher({ fileEvents: false });
  };
  const rows = async () => (await db.pool.query(`select rel_path, state, ingested_at, error from watch_file order by rel_path`)).rows;
  async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 15000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await what();
      if (ok(v) || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('finds new frames by rescanning, ingests each once, and never ingests a file that is not a whole frame', async () => {
    watcher = await start();
    const frames = staged.frames.slice(0, 4);
    for (const f of frames) {
      await mkdir(path.dirname(path.join(root, f.relPath)), { recursive: true });
      await copyFile(f.file, path.join(root, f.relPath));
    }
    // A raw-looking name holding something else: the whole-FITS check never passes, so it stays landing.
    const bogus = `${path.posix.dirname(frames[0].relPath)}/09jun19999.fits`;
    await writeFile(path.join(root, bogus), 'SIMPLE  =                    T'.padEnd(2880, ' '));
    const got = await until(rows, (r) => r.length === 4);
    expect(got.map((r) => [r.rel_path, r.state])).toEqual(frames.map((f) => [f.relPath, 'ingested']).sort());
    const { rows: indexed } = await db.pool.query(`select rel_path from frame order by rel_path`);
    expect(indexed.map((r) => r.rel_path)).toEqual(frames.map((f) => f.relPath).sort());
    expect(watcher.landing().map((l) => l.relPath)).toEqual([bogus]);
  });

  it('re-ingests nothing after a restart, and still takes what lands next', async () => {
    const before = await rows();
    await watcher!.stop();
    watcher = await start();
    const next = staged.frames[4];
    await copyFile(next.file, path.join(root, next.relPath));
    const after = await until(rows, (r) => r.length === 5);
    expect(after.filter((r) => r.rel_path !== next.relPath)).toEqual(before);
    expect(after.find((r) => r.rel_path === next.relPath)?.state).toBe('ingested');
    const { rows: n } = await db.pool.query(`select count(*)::int as n from frame`);
    expect(n[0].n).toBe(5);
  });
});
