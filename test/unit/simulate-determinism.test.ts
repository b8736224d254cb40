// The simulator is deterministic for a seed (whatever the number of worker threads) and writes real-size frames.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readHeaders } from '../../src/fits/index.js';
import { simulateNight, type NightSummary } from '../../src/simulate/index.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'sim-determinism-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const small = { night: '2016-07-14', size: 'small' as const, fields: 1, objects: 1, biases: 1, darks: 0, lflats: 0 };

async function digests(s: NightSummary): Promise<string[]> {
  const files = [...s.frames.map((f) => f.file), s.truthFile];
  return Promise.all(files.map(async (f) => `${path.relative(s.nightDir, f)} ${createHash('sha256').update(await readFile(f)).digest('hex')}`));
}

describe('simulator determinism and size', () => {
  it('writes byte-identical nights for a seed, in this thread or on worker threads; another seed differs', async () => {
    const inThread = await simulateNight({ ...small, outDir: path.join(dir, 'a'), seed: 5, concurrency: 0 });
    const workers = await simulateNight({ ...small, outDir: path.join(dir, 'b'), seed: 5, concurrency: 2 });
    const other = await simulateNight({ ...small, outDir: path.join(dir, 'c'), seed: 6, concurrency: 0 });
    expect(workers.concurrency).toBe(2);
    const [a, b, c] = await Promise.all([digests(inThread), digests(workers), digests(other)]);
    expect(a).toHaveLength(9);
    expect(b).toEqual(a);
    expect(c.filter((d, i) => d === a[i])).toEqual([]);
  });

  it('writes full-size frames of 2070 x 4098 unsigned 16-bit pixels (17 MB)', async () => {
    const s = await simulateNight({ outDir: path.join(dir, 'full'), night: '2016-07-14', size: 'full', fields: 0, biases: 1, darks: 0, lflats: 0, seed: 1, concurrency: 0 });
    expect(s.frames.map((f) => f.relPath)).toEqual(['160714/ccd_1/14jul10001.fits', '160714/ccd_2/14jul20001.fits']);
    for (const f of s.frames) {
      const [p] = await readHeaders(f.file);
      expect([p.header.number('NAXIS1'), p.header.number('NAXIS2'), p.header.number('BITPIX'), p.header.number('BZERO')]).toEqual([2070, 4098, 16, 32768]);
      expect([p.header.number('DETECXE'), p.header.number('DISPERS')]).toEqual([2048, f.arm === 'blue' ? 1.04 : 1.6]);
      expect(p.dataLength).toBe(2070 * 4098 * 2);
      // primary header + padded data + NDF_CLASS table (header and data, one block each)
      expect(f.bytes).toBe(p.dataOffset + 2880 * Math.ceil((2070 * 4098 * 2) / 2880) + 2 * 2880);
      expect(f.bytes / 1e6).toBeCloseTo(17, 0);
    }
  });
});
