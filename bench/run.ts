// `npm run bench [-- --quick] [-- --only name,...]`: runs the benchmarks, prints the table, writes
// bench/results/<date>-<commit>.json, and docs/performance.md only from a full run on a clean tree (git status
// shows nothing at the start), naming the commit it measured; otherwise it says why it did not.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProgress } from '../src/cli/progress.js';
import { createLogger } from '../src/logger.js';
import { markdownTable, meets, type Bench, type Row } from './lib.js';
import { api } from './api.js';
import { orchestration } from './orchestration.js';
import { planner } from './planner.js';
import { reducer } from './reducer.js';
import { simulate } from './simulate.js';
import { slurm } from './slurm.js';
import { soda } from './soda.js';
import { turnaround } from './turnaround.js';
import { datalink } from './datalink.js';
import { middleware } from './middleware.js';
import { uwsSoda } from './uws-soda.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benches: Record<string, Bench> = { planner, simulate, reducer, 'uws-soda': uwsSoda, middleware, api, orchestration, soda, turnaround, datalink, slurm };

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg?.split(',');

const git = (...a: string[]) => {
  try {
    return execFileSync('git', a, { cwd: root }).toString();
  } catch {
    return undefined;
  }
};
const commit = git('rev-parse', '--short', 'HEAD')?.trim() ?? 'unknown';
const fullCommit = git('rev-parse', 'HEAD')?.trim();
// Read before anything runs (the run itself adds bench/results/): docs/performance.md must describe the commit.
const dirty = git('status', '--porcelain');
const clean = fullCommit !== undefined && dirty !== undefined && dirty.trim() === '';

const rows: Row[] = [];
const t0 = Date.now();
// Every folder the benches and their child processes make goes under one TMPDIR, removed at the end, so the
// simulated nights, data folders and database clusters never stay in /tmp (traversable for postgres and containers).
const scratch = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-run-'));
chmodSync(scratch, 0o755);
process.env.TMPDIR = scratch;
const selected = Object.entries(benches).filter(([name]) => !only || only.includes(name));
// On a terminal a bar over the benchmarks with their lines above it; piped, the same lines and a progress log line now and then.
const progress = startProgress({ task: 'bench', total: selected.length, unit: 'benchmarks', log: createLogger('info', process.stderr) });
try {
  for (const [i, [name, bench]] of selected.entries()) {
    progress.update(i, selected.length, name);
    progress.note(`# ${name}`);
    rows.push(...(await bench({ quick, log: (m) => progress.note(`  ${m}`) })));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
}
progress.update(selected.length, selected.length);
progress.stop();
const table = markdownTable(rows);
const header = `Measured ${new Date().toISOString().slice(0, 10)} at commit ${fullCommit ?? commit} (clean tree: ${clean ? 'yes' : 'no'}) on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}${quick ? ', QUICK mode (fewer repetitions)' : ''}; ${((Date.now() - t0) / 1000).toFixed(0)} s.`;
process.stdout.write(`\n${header}\n\n${table}\n`);
const resultsDir = path.join(root, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  path.join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${commit}${quick ? '-quick' : ''}.json`),
  JSON.stringify({ date: new Date().toISOString(), commit: fullCommit ?? commit, clean, cores: os.cpus().length, quick, rows: rows.map((r) => ({ ...r, met: meets(r) })) }, null, 2),
);
if (quick || only) {
  process.stdout.write('\ndocs/performance.md not written: only a full run (no --quick, no --only) writes it.\n');
} else if (!clean) {
  process.stdout.write(`\ndocs/performance.md not written: the tree was not clean at the start (commit first; git status --porcelain):\n${dirty ?? 'not a git checkout'}\n`);
} else {
  const doc = `# Performance\n\nWritten by \`npm run bench\` (see bench/). Every figure is a median over repeated runs with min and max;\nratios are measured side by side in the same run. Reproduce: \`npm install && npm run bench\`\n(Docker running, as .ci/run sets it up). \`npm run bench -- --quick\` is the CI smoke version.\n\n${header}\n\n${table}\n`;
  writeFileSync(path.join(root, 'docs/performance.md'), doc);
}
const missed = rows.filter((r) => meets(r) === false);
if (missed.length) process.stdout.write(`\n${missed.length} target(s) missed: ${missed.map((r) => r.metric).join('; ')}\n`);
process.exit(0);
