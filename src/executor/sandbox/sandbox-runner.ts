// StepRunner that runs each step inside its job's warm sandbox; same inputs, outputs and results as
// the container-per-step runner, at the cost of a fork instead of a container start.
import { randomBytes } from 'node:crypto';
import { chown, copyFile, mkdir, readdir, rename, rm, symlink, open } from 'node:fs/promises';
import path from 'node:path';
import { appendTail, type StepRunner, type StepRunRequest, type StepRunResult } from '../types.js';
import { stepScript } from './launcher.js';
import { SandboxPool, type SandboxPoolOptions } from './sandbox-pool.js';
import type { ReadOnlyRoot } from './sandbox.js';

export interface SandboxRunner extends StepRunner {
  endJob(jobId: string): Promise<void>;
  readonly pool: SandboxPool;
}

/** Where the sandbox sees a host file: under a read-only root, or undefined (then it is copied in). */
export function containerPathFor(hostPath: string, roots: ReadOnlyRoot[]): string | undefined {
  for (const r of roots) {
    const rel = path.relative(r.hostPath, hostPath);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return path.posix.join(r.containerPath, rel.split(path.sep).join('/'));
  }
  return undefined;
}

/** Streams new bytes of a growing file to a callback. */
async function tail(file: string, from: number, cb: (s: string) => void): Promise<number> {
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return from;
  try {
    const { size } = await fh.stat();
    if (size <= from) return from;
    const buf = Buffer.alloc(size - from);
    await fh.read(buf, 0, buf.length, from);
    cb(buf.toString('utf8'));
    return size;
  } finally {
    await fh.close();
  }
}

/** imageId: what the step records as its runtime (the image's id, as the container-per-step runner records). */
export function createSandboxRunner(o: SandboxPoolOptions & { imageId?: string }): SandboxRunner {
  const pool = new SandboxPool(o);
  const [uid, gid] = o.user.split(':').map(Number);
  return {
    kind: 'sandbox',
    pool,
    endJob: (jobId) => pool.endJob(jobId),
    close: () => pool.close(),
    async run(req: StepRunRequest): Promise<StepRunResult> {
      const startedAt = new Date();
      const base = { exitCode: null, stdout: '', stderr: '', startedAt, runtime: o.imageId ?? o.image };
      let sb;
      try {
        sb = await pool.acquire(req.labels.jobId ?? `step-${req.labels.stepId}`, req.labels.owner);
      } catch (e) {
        return { ...base, endedAt: new Date(), failure: 'transient', message: `cannot start sandbox: ${(e as Error).message}` };
      }
      const key = `${req.labels.stepId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
      const hostDir = path.join(sb.stepsDir, key);
      await mkdir(hostDir);
      await chown(hostDir, uid, gid ?? uid).catch(() => {});
      const inputNames = new Set(req.inputs.map((i) => i.name));
      for (const i of req.inputs) {
        const inside = containerPathFor(i.hostPath, o.roots);
        if (inside) await symlink(inside, path.join(hostDir, i.name));
        else await copyFile(i.hostPath, path.join(hostDir, i.name));
      }
      let stdout = '';
      let stderr = '';
      let outPos = 0;
      let errPos = 0;
      const pump = async () => {
        outPos = await tail(path.join(sb.ctlDir, `${key}.out`), outPos, (s) => {
          stdout = appendTail(stdout, s);
          req.onOutput?.(s, 'stdout');
        });
        errPos = await tail(path.join(sb.ctlDir, `${key}.err`), errPos, (s) => {
          stderr = appendTail(stderr, s);
          req.onOutput?.(s, 'stderr');
        });
      };
      let failure: StepRunResult['failure'];
      let message: string | undefined;
      const timer = setTimeout(() => {
        failure = 'timeout';
        message = `step exceeded its timeout of ${Math.round(req.timeoutMs / 1000)} s and was killed`;
        void sb.kill(key);
      }, req.timeoutMs);
      const onAbort = () => {
        failure ??= 'aborted';
        message ??= 'step aborted';
        void sb.kill(key);
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (req.signal?.aborted) onAbort();
      const progress = req.onOutput ? setInterval(() => void pump(), 1000) : undefined;
      let exitCode: number | null = null;
      try {
        const done = await sb.exec(key, stepScript(`/steps/${key}`, req.argv, req.env));
        exitCode = done.status;
        // A crash (killed by a signal we did not send) or processes left behind taint the sandbox.
        if (done.stray || (done.status > 128 && !failure)) sb.tainted = true;
      } catch (e) {
        failure ??= 'transient';
        message ??= (e as Error).message;
      } finally {
        clearTimeout(timer);
        clearInterval(progress);
        req.signal?.removeEventListener('abort', onAbort);
      }
      await pump();
      for (const name of await readdir(hostDir).catch(() => [] as string[])) {
        if (inputNames.has(name) || name === '.tmp' || name === '.imp_scratch') continue;
        await rename(path.join(hostDir, name), path.join(req.workDir, name));
      }
      await rm(hostDir, { recursive: true, force: true });
      await sb.forgetStep(key);
      return { ...base, exitCode: failure ? null : exitCode, failure, message, stdout, stderr, endedAt: new Date(), runtime: `${o.imageId ?? o.image} (sandbox ${sb.id})` };
    },
  };
}
