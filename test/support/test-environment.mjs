// The Node test environment with one temporary folder per test file: TMPDIR (os.tmpdir(), which the file's child
// processes, python tempfile and the reducer inherit) points into it while the file runs, and it is removed once
// the file is done (after every afterAll), so a suite that forgets a folder leaves nothing in /tmp.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestEnvironment } from 'jest-environment-node';

export default class TempDirEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.previousTmp = process.env.TMPDIR;
    this.tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-test-file-'));
    // Traversable: postgres (as its own user) and containers' users reach the folders tests make inside.
    chmodSync(this.tmp, 0o755);
    // tsx keeps its compile cache in TMPDIR/tsx-<uid>: point it at the usual one, so the file's child processes
    // (drsoda through tsx) do not recompile the sources (removing the folder removes the link, not the cache).
    const tsxCache = `tsx-${process.getuid?.() ?? 'user'}`;
    const shared = path.join(os.tmpdir(), tsxCache);
    mkdirSync(shared, { recursive: true });
    symlinkSync(shared, path.join(this.tmp, tsxCache));
    // The worker's own environment (os.tmpdir() reads it) and the test file's copy (spawned children get it).
    process.env.TMPDIR = this.tmp;
    this.global.process.env.TMPDIR = this.tmp;
  }

  async teardown() {
    await super.teardown();
    if (this.previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = this.previousTmp;
    try {
      rmSync(this.tmp, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      process.stderr.write(`test environment: could not remove ${this.tmp}: ${err.message}\n`);
    }
  }
}
