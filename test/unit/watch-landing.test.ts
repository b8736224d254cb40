// The watcher's landing checks on real files: the FITS completeness test (every way a raw frame can be partial)
// and the tracker's stability window (a file is handed over only after its size and mtime held still).
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeFits, Header } from '../../src/fits/index.js';
import { checkComplete } from '../../src/watch/completeness.js';
import { FileTracker } from '../../src/watch/file-tracker.js';

let dir: string;
let frame: Buffer;
let primaryEnd: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'drsoda-watch-landing-'));
  // A raw 2dF object frame in miniature: primary with NDFCLASS, the fibre table (with PROGID), the class table.
  const primary = encodeFits([{ kind: 'image', axes: [64, 40], bitpix: 16, data: new Uint16Array(64 * 40), header: new Header().set('NDFCLASS', 'MFOBJECT') }]);
  primaryEnd = primary.length;
  frame = encodeFits([
    { kind: 'image', axes: [64, 40], bitpix: 16, data: new Uint16Array(64 * 40), header: new Header().set('NDFCLASS', 'MFOBJECT') },
    { kind: 'table', extname: 'STRUCT.MORE.FIBRES', header: new Header().set('PROGID', 'A/2026B/07'), columns: [{ name: 'NAME', tform: '8A', values: ['a', 'b'] }] },
    { kind: 'table', extname: 'STRUCT.MORE.NDF_CLASS', columns: [{ name: 'NAME', tform: '16A', values: ['MFOBJECT'] }] },
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, bytes: Buffer): Promise<string> {
  const f = path.join(dir, name);
  await writeFile(f, bytes);
  return f;
}

describe('checkComplete', () => {
  it('accepts a whole frame and reads its programme from the fibre table', async () => {
    expect(await checkComplete(await file('whole.fits', frame))).toEqual({ complete: true, sizeBytes: frame.length, mtimeMs: expect.any(Number), programme: 'A/2026B/07' });
  });

  it.each([
    ['empty', () => Buffer.alloc(0), /empty file/],
    ['cut inside a block', () => frame.subarray(0, 4000), /not a multiple of the 2880-byte FITS block/],
    ['cut in the primary data, on a block boundary', () => frame.subarray(0, 2880 * 2), /truncated data in HDU 0/],
    ['cut after the primary HDU (an object frame without its fibre table)', () => frame.subarray(0, primaryEnd), /MFOBJECT frame without its fibre table/],
    ['cut in the fibre table header', () => frame.subarray(0, primaryEnd + 2880), /truncated|END/],
  ])('refuses a file %s', async (name, bytes, reason) => {
    const r = await checkComplete(await file(`${name.replace(/\W+/g, '-')}.fits`, bytes()));
    expect(r.complete).toBe(false);
    expect(!r.complete && r.reason).toMatch(reason);
  });

  it('says a vanished file is gone', async () => {
    expect(await checkComplete(path.join(dir, 'never-there.fits'))).toEqual({ complete: false, reason: 'the file is gone' });
  });
});

describe('FileTracker', () => {
  it('hands a file over only once it is whole and its size and mtime held still for the window', async () => {
    let now = 1_000_000;
    const tracker = new FileTracker({ stableMs: 500, brokenAfterMs: 5000, now: () => now });
    const f = await file('growing.fits', frame.subarray(0, primaryEnd));
    tracker.add('n/growing.fits', f);
    expect((await tracker.poll()).ready).toEqual([]); // first look records size and mtime
    now += 600;
    const partial = await tracker.poll();
    expect(partial.ready).toEqual([]); // stable, but not a whole frame
    expect(tracker.pending()[0].waitingFor).toMatch(/without its fibre table/);
    await appendFile(f, frame.subarray(primaryEnd));
    now += 100;
    expect((await tracker.poll()).ready).toEqual([]); // it changed: the window starts again
    now += 400;
    expect((await tracker.poll()).ready).toEqual([]); // 400 ms still is less than the 500 ms window
    now += 200;
    const done = await tracker.poll();
    expect(done.ready.map((r) => [r.relPath, r.sizeBytes, r.programme])).toEqual([['n/growing.fits', frame.length, 'A/2026B/07']]);
    expect(tracker.size).toBe(0);
  });

  it('reports a file that stays partial as broken once, and keeps watching it', async () => {
    let now = 0;
    const tracker = new FileTracker({ stableMs: 100, brokenAfterMs: 1000, now: () => now });
    tracker.add('n/broken.fits', await file('broken.fits', frame.subarray(0, 2880 * 2)));
    await tracker.poll();
    now += 200;
    expect((await tracker.poll()).broken).toEqual([]);
    now += 1000;
    expect((await tracker.poll()).broken.map((b) => b.relPath)).toEqual(['n/broken.fits']);
    now += 1000;
    expect((await tracker.poll()).broken).toEqual([]);
    expect(tracker.has('n/broken.fits')).toBe(true);
  });
});
