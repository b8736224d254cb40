// Reduces one arm of a simulated night with the reducer in this process, step by step as the planner
// orders them (domain notes 4.2), in a work dir holding every input by bare name like the engine's.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runAaorun } from '../../src/reducer/main.js';

export interface ArmRun {
  work: string;
  /** File prefix of the arm, e.g. 26sep1. */
  prefix: string;
  /** Roots (file names without .fits) of the field's flat, arc and objects. */
  runs: { flat: string; arc: string; objects: string[] };
  /** stdout of each step, by "operation files". */
  logs: Map<string, string>;
}

export const IDX = 'DRC_INCLUDE aaomega.idx\nDRC_OVERRIDE_PAR LACOSMIC "OBJECT ONLY" REDUCE\n';

/** Runs aaorun in-process in `work`; throws with the whole log when it fails. */
export async function aaorun(work: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const out: string[] = [];
  const code = await runAaorun(argv, { cwd: work, env: { IMP_SCRATCH: path.join(work, 'scratch'), ...env }, stdout: (l) => out.push(l), stderr: (l) => out.push(l), pid: 1234, now: new Date() });
  if (code !== 0) throw new Error(`aaorun ${argv.join(' ')} exited ${code}:\n${out.join('\n')}`);
  return out.join('\n');
}

/** Links ccd_N's raw frames into a fresh work dir and reduces them up to combine_spectra. */
export async function reduceArm(nightDir: string, ccd: 1 | 2, work: string, classes: Map<string, string>): Promise<ArmRun> {
  mkdirSync(work, { recursive: true });
  const raw = readdirSync(path.join(nightDir, `ccd_${ccd}`)).filter((f) => f.endsWith('.fits')).sort();
  for (const f of raw) symlinkSync(path.join(nightDir, `ccd_${ccd}`, f), path.join(work, f));
  writeFileSync(path.join(work, 'sim.idx'), IDX);
  const prefix = raw[0].slice(0, 6);
  const of = (cls: string) => raw.filter((f) => classes.get(f) === cls);
  const logs = new Map<string, string>();
  const run = async (argv: string[]) => logs.set(`${argv[0]} ${argv[1]}`, await aaorun(work, [...argv.slice(0, 2), '-idxfile', 'sim.idx', ...argv.slice(2)]));
  const red = (f: string) => f.replace('.fits', 'red.fits');
  const combine = async (frames: string[], out: string) => {
    if (frames.length > 1) await run(['combine_image', frames.map(red).join(' '), '-COMBINEDFILE', out]);
    else await run(['combine_image', red(frames[0]), '-COMBINEDFILE', out]);
  };
  for (const f of of('BIAS')) await run(['reduce_bias', f]);
  await combine(of('BIAS'), 'BIAScombined.fits');
  const bias = ['-USEBIASIM', '1', '-BIAS_FILENAME', 'BIAScombined.fits'];
  for (const f of of('DARK')) await run(['reduce_dark', f, ...bias]);
  await combine(of('DARK'), 'DARKcombined.fits');
  const dark = [...bias, '-USEDARKIM', '1', '-DARK_FILENAME', 'DARKcombined.fits'];
  for (const f of of('LFLAT')) await run(['reduce_lflat', f, ...dark]);
  await combine(of('LFLAT'), 'LFLATcombined.fits');
  const det = [...dark, '-USEFLATIM', '1', '-LFLAT_FILENAME', 'LFLATcombined.fits'];
  const [flat] = of('MFFFF');
  const [arc] = of('MFARC');
  const objects = of('MFOBJECT');
  const root = (f: string) => f.replace('.fits', '');
  const tlm = `${root(flat)}tlm.fits`;
  await run(['make_tlm', flat, '-TLMAP_FILENAME', tlm, ...det]);
  await run(['reduce_arc', arc, '-TLMAP_FILENAME', tlm, ...det, '-EXTR_OPERATION', 'GAUSS']);
  await run(['reduce_fflat', flat, '-TLMAP_FILENAME', tlm, '-DO_TLMAP', '0', '-WAVEL_FILENAME', red(arc), ...det]);
  for (const o of objects) {
    await run(['reduce_object', o, '-TLMAP_FILENAME', tlm, '-WAVEL_FILENAME', red(arc), '-FFLAT_FILENAME', red(flat), ...det, '-TPMETH', 'SKYFLUX(MED)']);
  }
  await run(['combine_spectra', objects.map(red).join(' '), '-COMBINEDFILE', `field_ccd${ccd}.fits`]);
  return { work, prefix, runs: { flat: root(flat), arc: root(arc), objects: objects.map(root) }, logs };
}
