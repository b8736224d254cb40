// `npm run bench [-- --quick] [-- --only name,...]`: runs the benchmarks, prints the table, writes
// docs/performance.md (full runs only) and bench/results/<date>-<commit>.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
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
const selected = Object.entries(benches).filter(([name]) => !only || only.includes(name));
// On a terminal a bar over the benchmarks with their lines above it; piped, the same lines and a progress log line now and then.
const progress = startProgress({ task: 'bench', total: selected.length, unit: 'benchmarks', log: createLogger('info', process.stderr) });
for (const [i, [name, bench]] of selected.entries()) {
  progress.update(i, selected.length, name);
  progress.note(`# ${name}`);
  rows.push(...(await bench({ quick, log: (m) => progress.note(`  ${m}`) })));
}
progress.update(selected.length, selected.length);
progress.stop();
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
