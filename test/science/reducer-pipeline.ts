// The steps that reduce one arm of a simulated night, in the order the planner runs them (domain notes
// 4.2), as aaorun argv lists; and a runner that executes them in this process, in a work dir holding
// every input by bare name like the engine's.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runAaorun } from '../../src/reducer/main.js';

export interface ArmRun {
  work: string;
  /** Roots (file names without .fits) of the field's flat, arc and objects. */
  runs: { flat: string; arc: string; objects: string[] };
  /** stdout of each step, by "operation files". */
  logs: Map<string, string>;
}

export const IDX = 'DRC_INCLUDE aaomega.idx\nDRC_OVERRIDE_PAR LACOSMIC "OBJECT ONLY" REDUCE\n';

/** Every step for one arm's raw files (bare names) of the given classes, each argv ending with -idxfile sim.idx. */
export function armSteps(raw: string[], classes: Map<string, string>, ccd: number): { steps: string[][]; runs: ArmRun['runs'] } {
  const of = (cls: string) => raw.filter((f) => classes.get(f) === cls).sort();
  const red = (f: string) => f.replace('.fits', 'red.fits');
  const root = (f: string) => f.replace('.fits', '');
  const steps: string[][] = [];
  const add = (...argv: string[]) => steps.push([...argv.slice(0, 2), '-idxfile', 'sim.idx', ...argv.slice(2)]);
  /** Reduces the frames of a class and combines them; a single frame is used as reduced (as the planner does). */
  const master = (cls: string, op: string, opts: string[], combined: string): string => {
    for (const f of of(cls)) add(op, f, ...opts);
    if (of(cls).length === 1) return red(of(cls)[0]);
    add('combine_image', of(cls).map(red).join(' '), '-COMBINEDFILE', combined);
    return combined;
  };
  const bias = ['-USEBIASIM', '1', '-BIAS_FILENAME', master('BIAS', 'reduce_bias', [], 'BIAScombined.fits')];
  const dark = [...bias, '-USEDARKIM', '1', '-DARK_FILENAME', master('DARK', 'reduce_dark', bias, 'DARKcombined.fits')];
  const det = [...dark, '-USEFLATIM', '1', '-LFLAT_FILENAME', master('LFLAT', 'reduce_lflat', dark, 'LFLATcombined.fits')];
  const [flat] = of('MFFFF');
  const [arc] = of('MFARC');
  const objects = of('MFOBJECT');
  const tlm = `${root(flat)}tlm.fits`;
  add('make_tlm', flat, '-TLMAP_FILENAME', tlm, ...det);
  add('reduce_arc', arc, '-TLMAP_FILENAME', tlm, ...det, '-EXTR_OPERATION', 'GAUSS');
  add('reduce_fflat', flat, '-TLMAP_FILENAME', tlm, '-DO_TLMAP', '0', '-WAVEL_FILENAME', red(arc), ...det);
  for (const o of objects) add('reduce_object', o, '-TLMAP_FILENAME', tlm, '-WAVEL_FILENAME', red(arc), '-FFLAT_FILENAME', red(flat), ...det, '-TPMETH', 'SKYFLUX(MED)');
  add('combine_spectra', objects.map(red).join(' '), '-COMBINEDFILE', `field_ccd${ccd}.fits`);
  return { steps, runs: { flat: root(flat), arc: root(arc), objects: objects.map(root) } };
}

/** Runs aaorun in-process in `work`; throws with the whole log when it fails. */
export async function aaorun(work: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const out: string[] = [];
  const code = await runAaorun(argv, { cwd: work, env: { IMP_SCRATCH: path.join(work, 'scratch'), ...env }, stdout: (l) => out.push(l), stderr: (l) => out.push(l), pid: 1234, now: new Date() });
  if (code !== 0) throw new Error(`aaorun ${argv.join(' ')} exited ${code}:\n${out.join('\n')}`);
  return out.join('\n');
}

/** Links ccd_N's raw frames into a fresh work dir and reduces them up to combine_spectra, in this process. */
export async function reduceArm(nightDir: string, ccd: 1 | 2, work: string, classes: Map<string, string>): Promise<ArmRun> {
  mkdirSync(work, { recursive: true });
  const raw = readdirSync(path.join(nightDir, `ccd_${ccd}`)).filter((f) => f.endsWith('.fits')).sort();
  for (const f of raw) symlinkSync(path.join(nightDir, `ccd_${ccd}`, f), path.join(work, f));
  writeFileSync(path.join(work, 'sim.idx'), IDX);
  const { steps, runs } = armSteps(raw, classes, ccd);
  const logs = new Map<string, string>();
  for (const argv of steps) logs.set(`${argv[0]} ${argv[1]}`, await aaorun(work, argv));
  return { work, runs, logs };
}
