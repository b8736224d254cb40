import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { runDrsoda } from '../support/process.js';
import { writeRawFrame } from './archive-fixture.js';

describe('drsoda ingest and drsoda frames', () => {
  let db: TestDatabase;
  let root: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    root = path.join(mkdtempSync(path.join(os.tmpdir(), 'drsoda-cli-archive-')), 'archive');
    for (const ccd of [1, 2] as const) {
      await writeRawFrame(root, { ccd, run: 1, ndfClass: 'BIAS', cfg: '' });
      await writeRawFrame(root, { ccd, run: 2, ndfClass: 'MFOBJECT' });
    }
    env = { DATABASE_URL: db.url, ARCHIVE_ROOT: root, LOG_LEVEL: 'warn', DATA_DIR: path.join(root, '..', 'data') };
  });
  afterAll(async () => {
    await db.drop();
  });

  it('ingests, reports counts, and is idempotent', async () => {
    const first = await runDrsoda(['ingest'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^ingested ${root}: 4 files scanned, 4 added, 0 updated, 0 unchanged, 0 newly missing, 0 failed`));
    const again = await runDrsoda(['ingest', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ root, scanned: 4, added: 0, unchanged: 4, failed: [] });
  });

  it('lists frames as a table and as the JSON of GET /api/frames', async () => {
    const table = await runDrsoda(['frames', '--arm', 'red', '--class', 'mfobject'], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+CLASS\s+OBJECT\s+FIELD\s+PLATE\s+EXPOSED\s+UTSTART\s+FILE$/);
    expect(lines[1]).toMatch(/^ivo:\/\/drsoda\.example\.org\/aat\?2014-09-26\/ccd2\/0002\s+MFOBJECT\s+G23_Y7_015\s+G23_Y7_015_p0\s+0\s+1800\s+11:02:33\s+140926\/ccd_2\/26sep20002\.fits$/);
    expect(lines[2]).toBe('1 of 1 frames');
    const json = await runDrsoda(['frames', '--night', '2014-09-26', '--limit', '3', '--json'], env);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ total: 4, offset: 0, limit: 3 });
    expect(doc.frames.map((f: { run: number; ccd: number }) => [f.run, f.ccd])).toEqual([[1, 1], [1, 2], [2, 1]]);
  });

  it('refuses a folder outside ARCHIVE_ROOT and a bad filter with one line each', async () => {
    const outside = await runDrsoda(['ingest', os.tmpdir()], env);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/^drsoda: .* is outside ARCHIVE_ROOT/);
    const bad = await runDrsoda(['frames', '--arm', 'green'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('drsoda: arm must be blue or red (got "green")');
  });
});
