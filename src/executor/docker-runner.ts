// Runs each step in a fresh container, created through the container client.
import { chown, chmod, symlink } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { ContainerClient } from './container-client.js';
import { containerLabels, type ContainerLimits } from './container-spec.js';
import { isTransientDockerError, withDeadline } from './deadline.js';
import { appendTail, type StepRunner, type StepRunRequest, type StepRunResult } from './types.js';

export interface DockerRunnerOptions {
  containers: ContainerClient;
  image: string;
  limits: ContainerLimits;
  /** uid:gid the step runs as inside the container; never root. */
  user: string;
}

/** Makes the work dir writable by the container user without opening it to everyone. */
export async function handOver(workDir: string, user: string): Promise<void> {
  const [uid, gid] = user.split(':').map(Number);
  try {
    await chown(workDir, uid, gid ?? uid);
  } catch {
    await chmod(workDir, 0o777); // not root: fall back to a world-writable private temp dir
  }
}

export function createDockerRunner(o: DockerRunnerOptions): StepRunner {
  const docker = o.containers;
  return {
    kind: 'docker',
    async run(req: StepRunRequest): Promise<StepRunResult> {
      const startedAt = new Date();
      let stdout = '';
      let stderr = '';
      const result = (r: Partial<StepRunResult>): StepRunResult => ({
        exitCode: null,
        stdout,
        stderr,
        startedAt,
        endedAt: new Date(),
        runtime: o.image,
        ...r,
      });
      for (const i of req.inputs) await symlink(`/in/${i.name}`, path.join(req.workDir, i.name));
      await handOver(req.workDir, o.user);
      let id: string | undefined;
      try {
        id = await docker.create({
          image: o.image,
          entrypoint: [req.argv[0]],
          cmd: req.argv.slice(1),
          workingDir: '/work',
          user: o.user,
          env: { HOME: '/work', TMPDIR: '/tmp', ...req.env },
          labels: containerLabels(req.labels),
          binds: [`${req.workDir}:/work:rw`, ...req.inputs.map((i) => `${i.hostPath}:/in/${i.name}:ro`)],
          limits: o.limits,
        });
        const out = new PassThrough();
        const err = new PassThrough();
        out.setEncoding('utf8').on('data', (d: string) => {
          stdout = appendTail(stdout, d);
          req.onOutput?.(d, 'stdout');
        });
        err.setEncoding('utf8').on('data', (d: string) => {
          stderr = appendTail(stderr, d);
          req.onOutput?.(d, 'stderr');
        });
        const { ended } = await docker.attach(id, { stdout: out, stderr: err });
        const exited = docker.waitForExit(id);
        exited.catch(() => {}); // awaited below; a start failure must not leave it unhandled
        await docker.start(id);
        let failure: StepRunResult['failure'];
        let message: string | undefined;
        const c = id;
        const kill = () => docker.kill(c, 'SIGKILL').catch(() => {});
        const timer = setTimeout(() => {
          failure = 'timeout';
          message = `step exceeded its timeout of ${Math.round(req.timeoutMs / 1000)} s and its container was killed`;
          void kill();
        }, req.timeoutMs);
        const onAbort = () => {
          failure ??= 'aborted';
          message ??= 'step aborted; its container was killed';
          void kill();
        };
        req.signal?.addEventListener('abort', onAbort, { once: true });
        if (req.signal?.aborted) onAbort();
        let exitCode: number;
        try {
          exitCode = await exited;
        } finally {
          clearTimeout(timer);
          req.signal?.removeEventListener('abort', onAbort);
        }
        await withDeadline(ended, 5000, 'container output').catch(() => {});
        if (failure) return result({ failure, message });
        const info = await docker.inspect(id);
        if (info.oomKilled) {
          return result({ failure: 'oom', message: `step ran out of memory (limit ${o.limits.memoryBytes} bytes) and was killed` });
        }
        return result({ exitCode, runtime: info.image });
      } catch (e) {
        if (isTransientDockerError(e)) return result({ failure: 'transient', message: `Docker daemon error: ${(e as Error).message}` });
        throw e;
      } finally {
        if (id) await docker.remove(id);
      }
    },
    close: async () => {},
  };
}
