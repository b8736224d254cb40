// Runs a step's argv as a child process (no Docker): the embedded demo default and machines without an engine.
import { spawn } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { appendTail, type StepRunner, type StepRunRequest, type StepRunResult } from './types.js';

export interface LocalRunnerOptions {
  /** Maps argv[0] to an executable, e.g. { aaorun: '/path/to/bin/aaorun.js' }. */
  programs?: Record<string, string[]>;
}

/** Places inputs by bare name in the work dir, as 2dFdr wrappers (SAMI's match_link) do. */
export async function linkInputs(workDir: string, inputs: { name: string; target: string }[]): Promise<void> {
  for (const i of inputs) {
    if (i.name.includes('/') || i.name === '..' || i.name === '.') throw new Error(`input name must be a bare file name: ${i.name}`);
    await symlink(i.target, path.join(workDir, i.name));
  }
}

export function createLocalRunner(o: LocalRunnerOptions = {}): StepRunner {
  return {
    kind: 'local',
    async run(req: StepRunRequest): Promise<StepRunResult> {
      await linkInputs(req.workDir, req.inputs.map((i) => ({ name: i.name, target: i.hostPath })));
      const [prog, ...args] = req.argv;
      const mapped = o.programs?.[prog];
      const command = mapped ? mapped[0] : prog;
      const fullArgs = mapped ? [...mapped.slice(1), ...args] : args;
      const startedAt = new Date();
      let stdout = '';
      let stderr = '';
      // detached: the step gets its own process group, so a timeout kills everything it started.
      const child = spawn(command, fullArgs, {
        cwd: req.workDir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: req.workDir, TMPDIR: req.workDir, ...req.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let failure: StepRunResult['failure'];
      let message: string | undefined;
      const killGroup = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => {
        failure = 'timeout';
        message = `step exceeded its timeout of ${Math.round(req.timeoutMs / 1000)} s and was killed`;
        killGroup();
      }, req.timeoutMs);
      const onAbort = () => {
        failure ??= 'aborted';
        message ??= 'step aborted';
        killGroup();
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (req.signal?.aborted) onAbort();
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout = appendTail(stdout, d);
        req.onOutput?.(d, 'stdout');
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr = appendTail(stderr, d);
        req.onOutput?.(d, 'stderr');
      });
      const exitCode = await new Promise<number | null>((resolve) => {
        child.on('error', (err) => {
          failure ??= 'transient';
          message ??= `cannot start ${command}: ${err.message}`;
          resolve(null);
        });
        child.on('close', (code) => resolve(code));
      });
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      return { exitCode: failure ? null : exitCode, failure, message, stdout, stderr, startedAt, endedAt: new Date(), runtime: command };
    },
    close: async () => {},
  };
}
