// Benchmark: the reducer's operations on full-size frames (2070 x 4098, 17 MB raw) of a simulated night,
// in-process as `aaorun` runs them: seconds per operation and MB/s of FITS read plus written. Target: a
// full-size reduce_object in seconds (< 10 s). Run alone with `npx tsx bench/reducer.ts [--quick]`.
import { mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAaorun } from '../src/reducer/main.js';
import { simulateNight } from '../src/simulate/index.js';
import { armSteps, IDX } from '../test/science/reducer-pipeline.js';

// Structural copies of bench/lib.ts Row/BenchContext, so this file also runs on its own.
interface Summary { median: number; min: number; max: number; n: number }
interface Row { group: string; metric: string; unit: string; value: Summary; target?: string; note?: string }
interface BenchContext { quick: boolean; log: (msg: string) => void }

function summary(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: mid, min: s[0], max: s[s.length - 1], n: s.length };
}

/** Size and mtime of every FITS file in dir. */
function snapshot(dir: string): Map<string, { size: number; mtime: number }> {
  return new Map(readdirSync(dir).filter((f) => f.endsWith('.fits')).map((f) => {
    const s = statSync(path.join(dir, f));
    return [f, { size: s.size, mtime: s.mtimeMs }];
  }));
}

const targets: Record<string, string> = { reduce_object: '< 10' };

export async function reducer({ quick, log }: BenchContext): Promise<Row[]> {
  const reps = quick ? 1 : 3;
  const root = await mkdtemp(path.join(tmpdir(), 'bench-reducer-'));
  try {
    const sim = await simulateNight({ outDir: path.join(root, 'raw'), night: '2014-09-26', size: 'full', fields: 1, objects: 1, biases: 3, darks: 1, lflats: 1, seed: 3, concurrency: 2 });
    const work = path.join(root, 'work');
    mkdirSync(work);
    const blue = sim.frames.filter((f) => f.ccd === 1);
    for (const f of blue) symlinkSync(f.file, path.join(work, path.basename(f.file)));
    writeFileSync(path.join(work, 'sim.idx'), IDX);
    const { steps } = armSteps(blue.map((f) => path.basename(f.file)), new Map(blue.map((f) => [path.basename(f.file), f.ndfClass as string])), 1);
    log(`full-size night simulated: ${blue.length} blue frames; ${steps.length} steps x ${reps}`);
    const seconds = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const rates = new Map<string, number[]>();
    for (let rep = 0; rep < reps; rep++) {
      for (const argv of steps) {
        const before = snapshot(work);
        const inputs = argv.slice(1).flatMap((a) => a.split(' ')).filter((a) => before.has(a));
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const out: string[] = [];
        const code = await runAaorun(argv, { cwd: work, env: { IMP_SCRATCH: path.join(work, 'scratch') }, stdout: (l) => out.push(l), stderr: (l) => out.push(l), pid: process.pid, now: new Date() });
        const s = (performance.now() - t0) / 1000;
        const c = process.cpuUsage(c0);
        if (code !== 0) throw new Error(`${argv.join(' ')} failed:\n${out.join('\n')}`);
        const after = snapshot(work);
        const written = [...after].filter(([f, v]) => before.get(f)?.mtime !== v.mtime).reduce((a, [, v]) => a + v.size, 0);
        const read = inputs.reduce((a, f) => a + (before.get(f)?.size ?? 0), 0);
        const op = argv[0];
        seconds.set(op, [...(seconds.get(op) ?? []), s]);
        cpu.set(op, [...(cpu.get(op) ?? []), (c.user + c.system) / 1e6]);
        rates.set(op, [...(rates.get(op) ?? []), (read + written) / 1e6 / s]);
        if (rep === 0) log(`${op} ${argv[1].split(' ').length > 1 ? `(${argv[1].split(' ').length} files)` : argv[1]}: ${s.toFixed(2)} s (${((c.user + c.system) / 1e6).toFixed(2)} s CPU), ${((read + written) / 1e6).toFixed(0)} MB read+written`);
      }
    }
    return [...seconds.keys()].flatMap((op): Row[] => [
      { group: 'reducer', metric: `${op}, full-size frames`, unit: 's', value: summary(seconds.get(op)!), ...(targets[op] ? { target: targets[op] } : {}) },
      { group: 'reducer', metric: `${op} CPU (user + system, one thread)`, unit: 's', value: summary(cpu.get(op)!) },
      { group: 'reducer', metric: `${op} FITS read+written`, unit: 'MB/s', value: summary(rates.get(op)!) },
    ]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await reducer({ quick: process.argv.includes('--quick'), log: (m) => process.stdout.write(`  ${m}\n`) });
  for (const r of rows) {
    const v = r.value;
    process.stdout.write(`${r.metric}: median ${v.median.toFixed(2)} ${r.unit} (min ${v.min.toFixed(2)}, max ${v.max.toFixed(2)}, n ${v.n})${r.target ? `, target ${r.target}` : ''}\n`);
  }
}
