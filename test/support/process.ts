// Runs the real `drsoda` CLI as a child process (through tsx, as `npm start` does).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `drsoda serve` whose /soda/async runs the tests' sleep job kind (test/support/sleep-serve.ts). */
export const SLEEP_SERVE = 'test/support/sleep-serve.ts';

/** Runs `drsoda <args>`; args[0] may be SLEEP_SERVE to start that program instead. */
export function spawnDrsoda(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  const program = args[0] === SLEEP_SERVE ? [path.join(projectRoot, SLEEP_SERVE)] : [path.join(projectRoot, 'src/main.ts'), ...args];
  return spawn(process.execPath, ['--import', 'tsx', ...program], {
    cwd: projectRoot,
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects output until exit; kills the child after timeoutMs. */
export function runDrsoda(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60000): Promise<Finished> {
  const child = spawnDrsoda(args, env);
  return finished(child, timeoutMs);
}

export function finished(child: ChildProcess, timeoutMs = 60000): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves when a line of the child's stdout matches re. */
export function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 60000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; got:\n${buf}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d;
      const line = buf.split('\n').find((l) => re.test(l));
      if (line) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', () => reject(new Error(`process exited before a line matching ${re}; got:\n${buf}`)));
  });
}
