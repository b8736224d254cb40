import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readHeaders } from '../../src/fits/index.js';
import { freePort } from '../../src/store/embedded.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { finished, spawnDrsoda, waitForLine } from '../support/process.js';

function sh(command: string, cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { cwd, timeout: 30000 }, (err, _stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }));
  });
}

describe('the demo archive (ARCHIVE_ROOT unset)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('is simulated and ingested at first start, announces a curl command that works, and is reused later', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-demo-'));
    const port = await freePort();
    // An empty archive folder, as Docker leaves when the engine bind-mounts it first, must still be filled.
    mkdirSync(path.join(dataDir, 'demo-archive'));
    const env = { DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_ARCHIVE: 'true', ARCHIVE_ROOT: '' };

    const first = spawnDrsoda(['serve'], env);
    const firstDone = finished(first);
    let ready: { objectFrames: string[]; tryIt: string; listing: string };
    try {
      await waitForLine(first, /drsoda listening/);
      ready = JSON.parse(await waitForLine(first, /demo archive ready/, 120000));
    } finally {
      first.kill('SIGTERM');
    }
    expect((await firstDone).code).toBe(0);
    expect(ready.objectFrames.length).toBeGreaterThanOrEqual(2);
    for (const id of ready.objectFrames) expect(id).toMatch(/^ivo:\/\/drsoda\.example\.org\/aat\?2014-09-26\/ccd[12]\/\d{4}$/);
    expect(readdirSync(path.join(dataDir, 'demo-archive')).sort()).toEqual(['.drsoda-demo-complete', '140926']); // no temporary folder left

    // The printed command, run as printed, against a second start (which must not simulate again).
    const second = spawnDrsoda(['serve'], env);
    const secondDone = finished(second);
    let output = '';
    second.stdout?.on('data', (d) => (output += d));
    try {
      await waitForLine(second, /drsoda listening/);
      expect(JSON.parse(await waitForLine(second, /archive ingested/))).toMatchObject({ added: 0, updated: 0, failed: 0 });
      const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-demo-curl-'));
      const curl = await sh(ready.tryIt, dir);
      expect(curl).toEqual({ code: 0, stderr: '' });
      const [file] = readdirSync(dir);
      expect(file).toMatch(/^26sep[12]\d{4}\.fits$/);
      const hdus = await readHeaders(path.join(dir, file));
      expect(hdus[0].header.string('NDFCLASS')).toBe('MFOBJECT');
      expect(statSync(path.join(dir, file)).size % 2880).toBe(0);
      const listing = (await (await fetch(ready.listing)).json()) as { total: number; frames: Array<{ id: string; ndfClass: string }> };
      expect(listing.total).toBeGreaterThanOrEqual(ready.objectFrames.length);
      expect(new Set(listing.frames.map((f) => f.ndfClass))).toEqual(new Set(['MFOBJECT']));
      expect(listing.frames.map((f) => f.id).slice(0, ready.objectFrames.length)).toEqual(ready.objectFrames);
    } finally {
      second.kill('SIGTERM');
    }
    expect((await secondDone).code).toBe(0);
    expect(output).not.toMatch(/simulating the demo night/);
  });
});
