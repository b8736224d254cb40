// Chooses how steps run from the configuration: warm sandboxes or a container per step when a Docker
// daemon answers and has the pipeline image, else (or with EXECUTOR=local) local processes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Config } from '../config.js';
import { dockerAnswers, dockerFromHost, imageId } from '../executor/docker-client.js';
import { createDockerRunner } from '../executor/docker-runner.js';
import { createLocalRunner } from '../executor/local-runner.js';
import { createSandboxRunner } from '../executor/sandbox/sandbox-runner.js';
import type { StepRunner } from '../executor/types.js';
import type { Logger } from '../logger.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunnerChoice {
  runner: StepRunner;
  description: string;
  /** The daemon, when steps run in Docker (for the orphan reaper). */
  docker?: Docker;
}

/** Throws when EXECUTOR=docker is asked for and the daemon or image is missing. */
export async function chooseRunner(config: Config, o: { archiveRoot: string; productsRoot: string; workerId: string; log: Logger }): Promise<RunnerChoice> {
  const x = config.executor;
  if (x.kind !== 'local') {
    const docker = dockerFromHost(x.dockerHost);
    const up = await dockerAnswers(docker);
    const id = up ? await imageId(docker, x.image) : null;
    if (up && id) {
      const limits = { cpus: x.stepCpus, memoryBytes: x.stepMemoryBytes, pids: 512, tmpfsBytes: 256 * 1024 * 1024 };
      if (x.mode === 'container') {
        return { runner: createDockerRunner({ docker, image: x.image, limits, user: x.user }), description: `docker container per step (${x.image} ${id})`, docker };
      }
      const runner = createSandboxRunner({
        docker,
        image: x.image,
        // A sandbox runs a job's steps side by side: give it room for the worker's concurrency.
        limits: { ...limits, cpus: x.stepCpus * x.concurrency, memoryBytes: x.stepMemoryBytes * x.concurrency },
        user: x.user,
        baseDir: path.join(config.dataDir, 'sandboxes'),
        roots: [
          { hostPath: o.archiveRoot, containerPath: '/archive' },
          { hostPath: o.productsRoot, containerPath: '/products' },
        ],
        workerId: o.workerId,
        xvfb: x.sandboxXvfb,
        idleMs: x.sandboxIdleS * 1000,
        prestart: x.sandboxPrestart,
      });
      return { runner, description: `docker warm sandbox per job (${x.image} ${id})`, docker };
    }
    const why = !up ? `no Docker daemon answers${x.dockerHost ? ` at ${x.dockerHost}` : ''}` : `image ${x.image} is missing (npm run image:reducer builds it)`;
    if (x.kind === 'docker') throw new Error(`EXECUTOR=docker but ${why}`);
    o.log.warn({ reason: why }, 'running steps as local processes');
  }
  const cmd = x.aaorunCommand ? x.aaorunCommand.split(/\s+/) : [process.execPath, path.join(projectRoot, 'bin/aaorun.js')];
  return { runner: createLocalRunner({ programs: { aaorun: cmd } }), description: `local processes (${cmd.join(' ')})` };
}
