// Runs each step in a fresh container (dockerode is imported only here and in sandbox code).
import { chown, chmod, symlink } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { appendTail, type StepRunner, type StepRunRequest, type StepRunResult } from './types.js';
import { containerLabels, hardenedHostConfig, isTransientDockerError, removeContainer, watchContainerEnd, withDeadline, type ContainerLimits } from './docker-common.js';

export interface DockerRunnerOptions {
  docker: Docker;
  image: string;
  limits: ContainerLimits;
  /** uid:gid the step runs as inside the container; never root. */
  user: string;
  /** Deadline for each Docker API call other than waiting for the step. */
  apiTimeoutMs?: number;
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
  const api = o.apiTimeoutMs ?? 30000;
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
      let container: Docker.Container | undefined;
      try {
        container = await withDeadline(
          o.docker.createContainer({
            Image: o.image,
            Entrypoint: [req.argv[0]],
            Cmd: req.argv.slice(1),
            WorkingDir: '/work',
            User: o.user,
            Env: Object.entries({ HOME: '/work', TMPDIR: '/tmp', ...req.env }).map(([k, v]) => `${k}=${v}`),
            Labels: containerLabels(req.labels),
            NetworkDisabled: true,
            HostConfig: {
              ...hardenedHostConfig(o.limits),
              Binds: [`${req.workDir}:/work:rw`, ...req.inputs.map((i) => `${i.hostPath}:/in/${i.name}:ro`)],
            },
          }),
          api,
          'docker create',
        );
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
        const stream = await withDeadline(container.attach({ stream: true, stdout: true, stderr: true }), api, 'docker attach');
        const drained = new Promise<void>((resolve) => stream.on('end', resolve).on('close', resolve).on('error', () => resolve()));
        container.modem.demuxStream(stream, out, err);
        const waited = container.wait({ condition: 'next-exit' });
        await withDeadline(container.start(), api, 'docker start');
        let failure: StepRunResult['failure'];
        let message: string | undefined;
        const c = container;
        const kill = () => c.kill({ signal: 'SIGKILL' }).catch(() => {});
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
        let status: { StatusCode: number };
        try {
          status = await watchContainerEnd(c, waited, { apiTimeoutMs: api });
        } finally {
          clearTimeout(timer);
          req.signal?.removeEventListener('abort', onAbort);
        }
        await withDeadline(drained, 5000, 'container output').catch(() => {});
        if (failure) return result({ failure, message });
        const info = await withDeadline(container.inspect(), api, 'docker inspect');
        if (info.State.OOMKilled) {
          return result({ failure: 'oom', message: `step ran out of memory (limit ${o.limits.memoryBytes} bytes) and was killed` });
        }
        return result({ exitCode: status.StatusCode, runtime: info.Image });
      } catch (e) {
        if (isTransientDockerError(e)) return result({ failure: 'transient', message: `Docker daemon error: ${(e as Error).message}` });
        throw e;
      } finally {
        if (container) await removeContainer(container, api);
      }
    },
    close: async () => {},
  };
}
