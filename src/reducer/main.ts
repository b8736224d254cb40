// aaorun: parse the command line, layer the parameters (built-in < .idx < command line), run the
// operation on each input, and frame stdout as 2dFdr does. Returns the exit status; never throws.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgv, type Invocation } from './argv.js';
import { builtinIdx } from './builtin-idx.js';
import type { OpContext } from './context.js';
import { ReducerError, ReducerUsageError } from './errors.js';
import { loadIdx } from './idx.js';
import { needsNoIdx, operations } from './operations.js';
import { Params } from './params.js';
import { Report } from './report.js';
import { Workspace } from './workspace.js';

export interface AaorunIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  pid: number;
  now: Date;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Built-in defaults, then the .idx file (and its includes), then the command line. */
export function buildParams(inv: Invocation, dir: string): Params {
  const params = new Params();
  for (const s of loadIdx('aaomega.idx', { read: () => undefined, builtin: (n) => builtinIdx[n] }).settings) params.set(s.name, s.value, 'default');
  const idx = inv.options.get('IDXFILE');
  if (idx) {
    const settings = loadIdx(path.resolve(dir, idx), { read: readText, builtin: (n) => builtinIdx[n] }).settings;
    for (const s of settings) params.set(s.name, s.value, 'idx');
  } else if (!needsNoIdx.has(inv.operation)) throw new ReducerUsageError('no parameter file given (-idxfile)');
  for (const [k, v] of inv.options) params.set(k, v, 'command line');
  return params;
}

export async function runAaorun(argv: readonly string[], io: AaorunIo): Promise<number> {
  const report = new Report(io.stdout, io.pid);
  report.start(io.cwd, argv);
  let action = (argv[0] ?? 'AAORUN').toUpperCase();
  try {
    const inv = parseArgv(argv);
    const op = operations[inv.operation];
    if (!op) throw new ReducerUsageError(`unknown operation ${JSON.stringify(argv[0])}; known: ${Object.keys(operations).join(', ')}`);
    action = op.action;
    const dir = path.resolve(io.cwd, inv.options.get('WDIR') ?? '.');
    const params = buildParams(inv, dir);
    const ws = new Workspace(io.cwd, io.env, params, report.proc, report.task);
    const ctx: OpContext = { operation: inv.operation, params, ws, report, now: io.now };
    // An injectable delay, so the service's timeout and abort handling can be exercised with real steps.
    const delayS = Number(io.env.AAORUN_DELAY_S ?? 0);
    if (delayS > 0) await new Promise((r) => setTimeout(r, delayS * 1000));
    op.check?.(ctx);
    if (op.perFile) {
      for (const f of inv.files) {
        report.begin(inv.operation, op.action, f);
        report.info(`OUT_DIRNAME=${ws.outDir}`);
        await op.run(ctx, [f]);
        report.completed(op.action);
      }
    } else {
      report.begin(inv.operation, op.action, inv.files.join(' ') || undefined);
      await op.run(ctx, inv.files);
      report.completed(op.action);
    }
    report.finish();
    return 0;
  } catch (err) {
    if (err instanceof ReducerError) {
      report.failed(action, err.message);
      io.stderr(`aaorun: ${err.message}`);
      return err.exitCode;
    }
    // A bug, not bad input: say so, with the stack for the report.
    const e = err as Error;
    report.failed(action, `internal error: ${e.message}`);
    io.stderr(`aaorun: internal error: ${e.stack ?? e.message}`);
    return 3;
  }
}
