// `drsoda serve` as every browser test runs it: a fresh database, the demo archive, the reference reducer as local
// processes, a data folder under the test's TMPDIR; and the checks each page of the web app must pass.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { freePort } from '../../../src/store/embedded.js';
import { createTestDatabase } from '../../support/db.js';
import { finished, spawnDrsoda, waitForLine } from '../../support/process.js';
import { unlabelledControls } from './chromium.js';
import { ensureWebBuilt } from './web-build.js';

export interface DemoServer {
  base: string;
  /** The demo night (YYYY-MM-DD) and the DIDs of its object frames, as the ready line names them. */
  night: string;
  objectFrames: string[];
  /** The service's DATA_DIR, removed by close(): a test may keep its own scratch files there too. */
  dataDir: string;
  /** Stops serve (it must exit 0), drops the database and removes the data folder. */
  close(): Promise<void>;
}

export async function startDemoServer(tag: string, env: Record<string, string> = {}): Promise<DemoServer> {
  ensureWebBuilt();
  const db = await createTestDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `drsoda-${tag}-`));
  const server = spawnDrsoda(['serve'], {
    DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', BASE_URL: base, DATA_DIR: dataDir,
    DEMO_ARCHIVE: 'true', ARCHIVE_ROOT: '', EXECUTOR: 'local', WORKER_CONCURRENCY: '2', LOG_LEVEL: 'info', ...env,
  });
  const exited = finished(server, 900_000);
  const stop = async () => {
    server.kill('SIGTERM');
    const { code } = await exited;
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  try {
    await waitForLine(server, /drsoda listening/);
    const ready = JSON.parse(await waitForLine(server, /demo archive ready/, 120_000)) as { objectFrames: string[] };
    const night = /\?(\d{4}-\d{2}-\d{2})\//.exec(ready.objectFrames[0])![1];
    return {
      base, night, objectFrames: ready.objectFrames, dataDir,
      close: async () => {
        const code = await stop();
        if (code !== 0) throw new Error(`drsoda serve exited with ${code} on SIGTERM`);
      },
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** No control without an accessible name, and nothing wider than the window. */
export async function checkPage(page: Page): Promise<void> {
  expect(await unlabelledControls(page)).toEqual([]);
  expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
}
