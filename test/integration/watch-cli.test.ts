// The watcher as operators run it, through the real CLI: `drsoda serve --watch` ingests a frame landing in
// ARCHIVE_ROOT and counts it on /metrics; `drsoda watch` does the same alone with METRICS_PORT; both stop
// cleanly on SIGTERM; bad rules stop the command with exit code 2 naming AUTO_REDUCE_RULES.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/store/embedded.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { until } from '../support/ops-receivers.js';
import { finished, runDrsoda, spawnDrsoda, waitForLine } from '../support/process.js';
import { writeRawFrame } from './archive-fixture.js';

describe('drsoda watch and serve --watch', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  // Rules that reduce nothing: these tests are about the processes, the reductions are watch-night's.
  const env = (tmp: string, root: string) => ({
    DATABASE_URL: db.url, HOST: '127.0.0.1', ARCHIVE_ROOT: root, DATA_DIR: path.join(tmp, 'data'), EXECUTOR: 'local',
    WATCH_STABLE_MS: '300', WATCH_POLL_MS: '100', AUTO_REDUCE_RULES: '{"rules": []}',
  });
  async function metricLine(url: string, re: RegExp, ms = 20000): Promise<string> {
    const deadline = Date.now() + ms;
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(url)).text();
      const line = text.split('\n').find((l) => re.test(l));
      if (line) return line;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no metric matching ${re} at ${url}:\n${text.split('\n').filter((l) => l.startsWith('drsoda_watch')).join('\n')}`);
  }

  it('serve --watch ingests a landing frame and counts it on /metrics', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-watch-cli-'));
    const root = path.join(tmp, 'archive');
    await writeRawFrame(root, { run: 1, night: '2026-08-01' });
    const port = await freePort();
    const child = spawnDrsoda(['serve', '--watch'], { ...env(tmp, root), PORT: String(port) });
    const done = finished(child);
    try {
      await waitForLine(child, /drsoda listening/);
      await writeRawFrame(root, { run: 2, night: '2026-08-01' });
      // The frame already there counts too: its folder changed within the first scan's window (docs/quick-turnaround.md).
      expect(await metricLine(`http://127.0.0.1:${port}/metrics`, /^drsoda_watch_files_total\{outcome="ingested"\} 2$/)).toBeTruthy();
      const list = (await (await fetch(`http://127.0.0.1:${port}/api/frames?night=2026-08-01`)).json()) as { total: number };
      expect(list.total).toBe(2);
    } finally {
      child.kill('SIGTERM');
    }
    const exit = await done;
    expect([exit.code, exit.stdout]).toEqual([0, expect.stringContaining('archive watcher stopped')]);
  }, 60000);

  it('drsoda watch runs alone and serves its metrics on METRICS_PORT', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-watch-cli-'));
    const root = path.join(tmp, 'archive');
    await writeRawFrame(root, { run: 1, night: '2026-08-02' });
    const metricsPort = await freePort();
    const child = spawnDrsoda(['watch'], { ...env(tmp, root), METRICS_PORT: String(metricsPort) });
    const done = finished(child);
    try {
      await waitForLine(child, /drsoda watch ready/);
      await writeRawFrame(root, { run: 3, night: '2026-08-02', ccd: 2 });
      await metricLine(`http://127.0.0.1:${metricsPort}/metrics`, /^drsoda_watch_files_total\{outcome="ingested"\} 2$/);
      // The counter moves before the watcher records the files: wait for the rows, do not assume them.
      const rows = await until('recorded files', async () => (await db.pool.query(`select rel_path, state from watch_file where root = $1 order by rel_path`, [root])).rows, (r) => r.length === 2);
      expect(rows).toEqual([{ rel_path: '260802/ccd_1/02aug10001.fits', state: 'ingested' }, { rel_path: '260802/ccd_2/02aug20003.fits', state: 'ingested' }]);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await done).code).toBe(0);
  }, 60000);

  it('refuses bad rules with exit code 2 naming AUTO_REDUCE_RULES', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-watch-cli-'));
    const r = await runDrsoda(['watch'], { ...env(tmp, tmp), AUTO_REDUCE_RULES: '{"rules": [{"name": "x", "reduce": "everything"}]}' });
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^drsoda: configuration error: AUTO_REDUCE_RULES: rules\.0\.reduce: /)]);
  });
});
