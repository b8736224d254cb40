// `drsoda simulate` as a user runs it: the real CLI in a child process.
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDrsoda } from '../support/process.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'sim-cli-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('drsoda simulate', () => {
  it('writes a night and reports where', async () => {
    const r = await runDrsoda(['simulate', '--out', dir, '--night', '2016-01-05', '--size', 'small', '--fields', '1', '--objects', '1', '--seed', '3', '--concurrency', '1']);
    // Piped, a long run logs a JSON progress line every few seconds on stderr and nothing else.
    expect(r.stderr.split('\n').filter((l) => l && JSON.parse(l).msg !== 'progress')).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^simulated 2016-01-05 \(small, seed 3\): 14 exposures, 28 frames, \d+ MB in [\d.]+ s on 1 thread\(s\)$/m);
    expect(r.stdout).toContain(`night directory: ${path.join(dir, '160105')}`);
    await access(path.join(dir, '160105/ccd_1/05jan10014.fits'));
    await access(path.join(dir, '160105/ccd_2/05jan20014.fits'));
    const truth = JSON.parse(await readFile(path.join(dir, '160105/drsoda-truth.json'), 'utf8'));
    expect(truth.exposures).toHaveLength(14);
  });

  it.each([
    [['--night', '2016-02-30'], /night must be a date YYYY-MM-DD/],
    [['--night', '2016-02-03', '--fields', 'two'], /fields must be an integer/],
    [['--night', '2016-02-03', '--size', 'medium'], /size must be full or small/],
    [['--night', '2016-02-03', '--fields', '30'], /do not fit in one night/],
  ])('refuses %j with a one-line message', async (args, message) => {
    const r = await runDrsoda(['simulate', '--out', path.join(dir, 'bad'), ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('requires --out and --night', async () => {
    const r = await runDrsoda(['simulate', '--night', '2016-02-03']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--out/);
  });
});
