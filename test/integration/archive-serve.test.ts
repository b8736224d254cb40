import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/store/embedded.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { finished, spawnDrsoda, waitForLine } from '../support/process.js';
import { writeRawFrame } from './archive-fixture.js';

describe('drsoda serve and the archive', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('ingests ARCHIVE_ROOT in the background at start, logs the counts, and serves the frames', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-serve-archive-'));
    const root = path.join(tmp, 'archive');
    for (const ccd of [1, 2] as const) for (const run of [1, 2, 3]) await writeRawFrame(root, { ccd, run });
    // A fixed free port, so BASE_URL (derived from HOST and PORT) is the address the listing links to.
    const free = await freePort();
    const child = spawnDrsoda(['serve'], { DATABASE_URL: db.url, PORT: String(free), HOST: '127.0.0.1', ARCHIVE_ROOT: root, DATA_DIR: path.join(tmp, 'data'), EXECUTOR: 'local' });
    const done = finished(child);
    try {
      const port = JSON.parse(await waitForLine(child, /drsoda listening/)).port as number;
      const line = JSON.parse(await waitForLine(child, /archive ingested/));
      expect(line).toMatchObject({ archiveRoot: root, scanned: 6, added: 6, failed: 0 });
      const list = (await (await fetch(`http://127.0.0.1:${port}/api/frames?arm=red`)).json()) as { total: number; frames: Array<{ url: string }> };
      expect(list.total).toBe(3);
      expect(list.frames[0].url).toBe(`http://127.0.0.1:${port}/files/raw?ID=${encodeURIComponent('ivo://drsoda.example.org/aat?2014-09-26/ccd2/0001')}`);
    } finally {
      child.kill('SIGTERM');
    }
    expect((await done).code).toBe(0);
  });
});
