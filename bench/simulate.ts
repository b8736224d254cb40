// Benchmark: simulating a full-size night (default plan: 21 exposures, 42 frames of 2070 x 4098) on 2 worker
// threads; target < 60 s. Run alone with `npx tsx bench/simulate.ts [--quick]`, or from bench/run.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateNight } from '../src/simulate/index.js';

// Structural copies of bench/lib.ts Row/BenchContext, so this file also runs on its own.
interface Summary { median: number; min: number; max: number; n: number }
interface Row { group: string; metric: string; unit: string; value: Summary; target?: string; note?: string }
interface BenchContext { quick: boolean; log: (msg: string) => void }

function summary(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: mid, min: s[0], max: s[s.length - 1], n: s.length };
}

async function timeNight(size: 'full' | 'small', concurrency: number, log: BenchContext['log']): Promise<{ s: number; mb: number; frames: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-simulate-'));
  try {
    const r = await simulateNight({ outDir: dir, night: '2014-09-26', size, concurrency });
    log(`${size} night, ${concurrency} thread(s): ${r.frames.length} frames, ${(r.totalBytes / 1e6).toFixed(0)} MB in ${(r.elapsedMs / 1000).toFixed(1)} s`);
    return { s: r.elapsedMs / 1000, mb: r.totalBytes / 1e6, frames: r.frames.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function simulate({ quick, log }: BenchContext): Promise<Row[]> {
  const n = quick ? 1 : 3;
  const full: { s: number; mb: number; frames: number }[] = [];
  const small: number[] = [];
  for (let i = 0; i < n; i++) full.push(await timeNight('full', 2, log));
  for (let i = 0; i < n; i++) small.push((await timeNight('small', 0, log)).s);
  return [
    { group: 'simulator', metric: `full-size night (${full[0].frames} frames, ${full[0].mb.toFixed(0)} MB), 2 worker threads`, unit: 's', value: summary(full.map((r) => r.s)), target: '< 60' },
    { group: 'simulator', metric: 'full-size frame throughput, 2 worker threads', unit: 'frames/s', value: summary(full.map((r) => r.frames / r.s)) },
    { group: 'simulator', metric: 'small night (42 frames of 272 x 4098), in-thread', unit: 's', value: summary(small) },
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await simulate({ quick: process.argv.includes('--quick'), log: (m) => process.stdout.write(`  ${m}\n`) });
  for (const r of rows) {
    const v = r.value;
    process.stdout.write(`${r.metric}: median ${v.median.toFixed(2)} ${r.unit} (min ${v.min.toFixed(2)}, max ${v.max.toFixed(2)}, n ${v.n})${r.target ? `, target ${r.target}` : ''}\n`);
  }
}
