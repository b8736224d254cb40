// Where aaorun reads and writes: inputs resolved against the work dir (cwd, or -WDIR), outputs next to
// their input or at a named path, diagnostics under OUT_DIRNAME (default inside IMP_SCRATCH), and a
// guard that refuses any other destination.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFits, type HduSpec } from '../fits/index.js';
import { ReducerError } from './errors.js';
import type { Params } from './params.js';

export class Workspace {
  /** Absolute work directory: -WDIR resolved against cwd, else cwd. */
  readonly dir: string;
  /** IMP_SCRATCH, else 2dFdr's default $HOME/imp_scratch (the OS temp dir without HOME). */
  readonly scratch: string;
  /** Diagnostics directory (2dFdr's OUT_DIRNAME; its default /tmp/AAOn/CMDn is kept inside scratch). */
  readonly outDir: string;
  private readonly allowedDirs = new Set<string>();
  private readonly namedOutputs = new Set<string>();

  constructor(cwd: string, env: NodeJS.ProcessEnv, params: Params, proc: string, task: string) {
    this.dir = path.resolve(cwd, params.file('WDIR') ?? '.');
    this.scratch = path.resolve(this.dir, env.IMP_SCRATCH || path.join(env.HOME || os.tmpdir(), 'imp_scratch'));
    const out = params.file('OUT_DIRNAME');
    this.outDir = out ? path.resolve(this.dir, out) : path.join(this.scratch, proc, task);
    for (const d of [this.dir, this.scratch, this.outDir]) this.allowedDirs.add(d);
  }

  /** An existing input file by name (relative to the work dir); its directory becomes a place outputs may go, as in 2dFdr. */
  input(name: string, what: string): string {
    const p = path.resolve(this.dir, name);
    if (!existsSync(p)) throw new ReducerError(`${what} ${name} does not exist`);
    if (!statSync(p).isFile()) throw new ReducerError(`${what} ${name} is not a file`);
    this.allowedDirs.add(path.dirname(p));
    return p;
  }

  /** An output named by an option (-COMBINEDFILE, -OUTPUT_FILE, -TLMAP_FILENAME...): allowed wherever it points. */
  named(name: string): string {
    const p = path.resolve(this.dir, name);
    this.namedOutputs.add(p);
    return p;
  }

  /** `<root><suffix>.fits` next to the input (26nov10033.fits -> 26nov10033red.fits). */
  nextTo(input: string, suffix: string): string {
    const base = path.basename(input).replace(/\.fits?$/i, '');
    return path.join(path.dirname(input), `${base}${suffix}.fits`);
  }

  /** Throws unless p is a named output or lies inside the work dir, an input's dir, scratch or OUT_DIRNAME. */
  assertWritable(p: string): void {
    const abs = path.resolve(p);
    if (this.namedOutputs.has(abs)) return;
    for (const d of this.allowedDirs) {
      const rel = path.relative(d, abs);
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return;
    }
    throw new ReducerError(`refusing to write ${abs}: outside the work directory, scratch and the named outputs`);
  }

  /** Writes a FITS product atomically; a symlink at the destination (a linked-in input) is replaced, never written through. */
  async writeFits(p: string, hdus: HduSpec[]): Promise<void> {
    this.assertWritable(p);
    try {
      await writeFits(p, hdus);
    } catch (err) {
      throw new ReducerError(`cannot write ${path.basename(p)}: ${(err as Error).message}`);
    }
  }

  /** Writes a diagnostic text file into OUT_DIRNAME; returns false (the caller warns) when that is impossible. */
  writeDiagnostic(name: string, text: string): boolean {
    const p = path.join(this.outDir, name);
    try {
      this.assertWritable(p);
      mkdirSync(this.outDir, { recursive: true });
      writeFileSync(p, text);
      return true;
    } catch {
      return false;
    }
  }
}
