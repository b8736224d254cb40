// `npm run bench [-- --quick] [-- --only name,...]`: runs the benchmarks, prints the table, writes
// docs/performance.md (full runs only) and bench/results/<date>-<commit>.json.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, meets, type Bench, type Row } from './lib.js';
import { api } from './api.js';
import { orchestration } from './orchestration.js';
import { planner } from './planner.js';
import { reducer } from './reducer.js';
import { simulate } from './simulate.js';
import { soda } from './soda.js';
import { turnaround } from './turnaround.js';
import { datalink } from './datalink.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benches: Record<string, Bench> = { planner, simulate, reducer, api, orchestration, soda, turnaround, datalink };

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg?.split(',');

const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    return 'unknown';
  }
})();

const rows: Row[] = [];
const t0 = Date.now();
// Every folder the benches and their child processes make goes under one TMPDIR, removed at the end, so the
// simulated nights, data folders and database clusters never stay in /tmp (traversable for postgres and containers).
const scratch = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-run-'));
chmodSync(scratch, 0o755);
process.env.TMPDIR = scratch;
try {
  for (const [name, bench] of Object.entries(benches)) {
    if (only && !only.includes(name)) continue;
    process.stdout.write(`# ${name}\n`);
    rows.push(...(await bench({ quick, log: (m) => process.stdout.write(`  ${m}\n`) })));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
}
const table = markdownTable(rows);
const header = `Measured ${new Date().toISOString().slice(0, 10)} at commit ${commit} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}${quick ? ', QUICK mode (fewer repetitions)' : ''}; ${((Date.now() - t0) / 1000).toFixed(0)} s.`;
process.stdout.write(`\n${header}\n\n${table}\n`);
const resultsDir = path.join(root, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  path.join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${commit}${quick ? '-quick' : ''}.json`),
  JSON.stringify({ date: new Date().toISOString(), commit, cores: os.cpus().length, quick, rows: rows.map((r) => ({ ...r, met: meets(r) })) }, null, 2),
);
if (!quick && !only) {
  const doc = `# Performance\n\nWritten by \`npm run bench\` (see bench/). Every figure is a median over repeated runs with min and max;\nratios are measured side by side in the same run. Reproduce: \`npm install && npm run bench\`\n(Docker running, as .ci/run sets it up). \`npm run bench -- --quick\` is the CI smoke version.\n\n${header}\n\n${table}\n`;
  writeFileSync(path.join(root, 'docs/performance.md'), doc);
}
const missed = rows.filter((r) => meets(r) === false);
if (missed.length) process.stdout.write(`\n${missed.length} target(s) missed: ${missed.map((r) => r.metric).join('; ')}\n`);
process.exit(0);
