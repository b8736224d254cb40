// Runs one claimed step: a fresh work dir, its inputs and idx file, the runner, then a verdict that
// trusts neither the exit code alone nor stdout alone (2dFdr wrappers check both, and the outputs).
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Step } from '../domain/plan.js';
import type { StepRunner, StepInput } from '../executor/types.js';
import type { FailureKind } from '../store/step-store.js';
import type { StepOutput } from '../store/step-store.js';
import type { ProductStore } from './product-store.js';

/** 2dFdr >= 6.28 ends a successful command with this line (2dfdr-domain-notes section 3.3). */
const COMPLETION = /Action "EXIT", Task "\S+", completed\./;

export interface StepContext {
  step: Step;
  attempt: number;
  labels: { jobId?: string; owner?: string; workerId: string };
  runner: StepRunner;
  products: ProductStore;
  archiveRoot: string;
  /** Parent of per-attempt work dirs; each attempt gets a fresh one, removed afterwards. */
  workRoot: string;
  logsRoot: string;
  timeoutMs: number;
  signal: AbortSignal;
  onOutput?: (chunk: string) => void;
}

export type StepVerdict =
  | { ok: true; outputs: StepOutput[]; exitCode: number; runtime: string; logPath: string; durationMs: number }
  | { ok: false; kind: FailureKind | 'aborted'; message: string; exitCode: number | null; runtime: string | null; logPath: string; durationMs: number };

/** Resolves the host path of every input; throws a usage failure for a missing or escaping one. */
async function resolveInputs(c: StepContext): Promise<StepInput[]> {
  const out: StepInput[] = [];
  for (const i of c.step.inputs) {
    let hostPath: string;
    if (i.kind === 'raw') {
      hostPath = path.resolve(c.archiveRoot, i.relPath);
      if (!hostPath.startsWith(path.resolve(c.archiveRoot) + path.sep)) throw new Error(`raw input ${i.relPath} is outside the archive`);
    } else {
      hostPath = c.products.file(i.stepId, i.fileName);
    }
    if (!(await stat(hostPath).catch(() => null))?.isFile()) throw new Error(`input ${i.fileName} is missing (${i.kind === 'raw' ? i.relPath : `product of step ${i.stepId}`})`);
    out.push({ name: i.fileName, hostPath });
  }
  return out;
}

function lastLines(s: string, n = 3): string {
  return s.trim().split('\n').map((l) => l.trim()).filter(Boolean).slice(-n).join(' | ').slice(0, 500);
}

export async function runStep(c: StepContext): Promise<StepVerdict> {
  const t0 = Date.now();
  const base = path.join(c.workRoot, `${c.step.id}-${c.attempt}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const workDir = path.join(base, 'work');
  const inDir = path.join(base, 'in');
  const logPath = path.join(c.logsRoot, c.step.id.slice(0, 2), `${c.step.id}.${c.attempt}.log`);
  await mkdir(workDir, { recursive: true });
  await mkdir(inDir, { recursive: true });
  await mkdir(path.dirname(logPath), { recursive: true });
  const log = createWriteStream(logPath);
  const fail = (kind: FailureKind | 'aborted', message: string, exitCode: number | null = null, runtime: string | null = null): StepVerdict => ({
    ok: false, kind, message, exitCode, runtime, logPath, durationMs: Date.now() - t0,
  });
  try {
    let inputs: StepInput[];
    try {
      inputs = await resolveInputs(c);
    } catch (e) {
      return fail('transient', (e as Error).message);
    }
    const idxPath = path.join(inDir, c.step.idx.fileName);
    await writeFile(idxPath, c.step.idx.content);
    inputs.push({ name: c.step.idx.fileName, hostPath: idxPath });
    log.write(`# step ${c.step.id} attempt ${c.attempt}: aaorun ${c.step.argv.join(' ')}\n`);
    const r = await c.runner.run({
      labels: { stepId: c.step.id, ...c.labels },
      argv: ['aaorun', ...c.step.argv],
      workDir,
      inputs,
      env: {},
      timeoutMs: c.timeoutMs,
      signal: c.signal,
      onOutput: (chunk) => {
        log.write(chunk);
        c.onOutput?.(chunk);
      },
    });
    if (r.failure === 'aborted') return fail('aborted', r.message ?? 'aborted', null, r.runtime);
    if (r.failure === 'timeout') return fail('fatal', r.message ?? 'step timed out', null, r.runtime);
    if (r.failure === 'oom' || r.failure === 'transient') return fail('transient', r.message ?? r.failure, null, r.runtime);
    if (r.exitCode !== 0) {
      return fail('fatal', `aaorun ${c.step.operation} exited with status ${r.exitCode}: ${lastLines(r.stderr) || lastLines(r.stdout)}`, r.exitCode, r.runtime);
    }
    if (!COMPLETION.test(r.stdout)) {
      return fail('fatal', `aaorun ${c.step.operation} exited 0 without reporting completion: ${lastLines(r.stdout)}`, 0, r.runtime);
    }
    let outputs: StepOutput[];
    try {
      outputs = await c.products.commit(c.step.id, workDir, c.step.outputs, c.step.products);
    } catch (e) {
      const msg = (e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'no space left on the product disk' : (e as Error).message;
      return fail('fatal', `aaorun ${c.step.operation}: ${msg}`, 0, r.runtime);
    }
    return { ok: true, outputs, exitCode: 0, runtime: r.runtime, logPath, durationMs: Date.now() - t0 };
  } finally {
    await new Promise<void>((resolve) => log.end(resolve));
    await rm(base, { recursive: true, force: true });
  }
}
