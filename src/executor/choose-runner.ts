// Chooses how steps run from the executor settings: a Slurm batch job per step with EXECUTOR=slurm; warm
// sandboxes or a container per step when a Docker daemon answers and has the pipeline image, else (or with
// EXECUTOR=local) local processes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorSettings as ExecutorConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createContainerClient, type ContainerClient } from './container-client.js';
import { createDockerRunner } from './docker-runner.js';
import { createLocalRunner } from './local-runner.js';
import { configuredPipeline, imagePipeline, localPipeline, type PipelineIdentity } from './pipeline-identity.js';
import { localFallback } from './reducer-image.js';
import { createSandboxRunner } from './sandbox/sandbox-runner.js';
import { createDagSubmitter, type SlurmDagRecords } from './slurm/dag-submit.js';
import { createSlurmClient, slurmEndpoint } from './slurm/slurm-client.js';
import { createSlurmRunner, type SlurmJobRecords } from './slurm/slurm-runner.js';
import type { StepRunner } from './types.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The configuration the executor reads: EXECUTOR, PIPELINE_IMAGE, limits..., and DATA_DIR for its sandboxes. */
export type ExecutorSettings = ExecutorConfig & { dataDir: string };

export interface RunnerChoice {
  runner: StepRunner;
  description: string;
  /** The reducer the runner runs: plans made for this runner hash it into their step ids. */
  pipeline: PipelineIdentity;
  /** The daemon, when steps run in Docker (for the orphan reaper). */
  containers?: ContainerClient;
}

export interface ChooseRunnerOptions {
  /** Mounted read-only at /archive in sandboxes. */
  archiveRoot: string;
  /** Mounted read-only at /products in sandboxes. */
  productsRoot: string;
  workerId: string;
  log: Logger;
  /** EXECUTOR=slurm: where the Slurm job of each step is recorded (store/slurm-job-store.ts). */
  slurmRecords?: SlurmJobRecords;
  /** SLURM_SUBMIT=dag: the waiting steps to hand over and the locked check-and-record (store/slurm-dag-store.ts). */
  slurmDag?: SlurmDagRecords;
  /** Where the product store keeps a step's output, for steps handed to Slurm before their inputs exist. */
  productFile?: (stepId: string, fileName: string) => string;
}

/** Throws when EXECUTOR=docker is asked for and the daemon or image is missing, or DOCKER_HOST is malformed. */
export async function chooseRunner(x: ExecutorSettings, o: ChooseRunnerOptions): Promise<RunnerChoice> {
  if (x.kind === 'slurm') return chooseSlurm(x, o);
  if (x.kind !== 'local') {
    const containers = createContainerClient({ dockerHost: x.dockerHost, log: o.log });
    const up = await containers.answers();
    const id = up ? await containers.imageId(x.image) : null;
    if (up && id) {
      const limits = { cpus: x.stepCpus, memoryBytes: x.stepMemoryBytes, pids: 512, tmpfsBytes: 256 * 1024 * 1024 };
      const pipeline = imagePipeline(x.image, id);
      if (x.mode === 'container') {
        return { runner: createDockerRunner({ containers, image: x.image, limits, user: x.user }), description: `docker container per step (${x.image} ${id})`, containers, pipeline };
      }
      const runner = createSandboxRunner({
        containers,
        image: x.image,
        imageId: id,
        // A sandbox runs a job's steps side by side: give it room for the worker's concurrency.
        limits: { ...limits, cpus: x.stepCpus * x.concurrency, memoryBytes: x.stepMemoryBytes * x.concurrency },
        user: x.user,
        baseDir: path.join(x.dataDir, 'sandboxes'),
        roots: [
          { hostPath: o.archiveRoot, containerPath: '/archive' },
          { hostPath: o.productsRoot, containerPath: '/products' },
        ],
        workerId: o.workerId,
        xvfb: x.sandboxXvfb,
        idleMs: x.sandboxIdleS * 1000,
        prestart: x.sandboxPrestart,
      });
      return { runner, description: `docker warm sandbox per job (${x.image} ${id})`, containers, pipeline };
    }
    const { reason, fix } = localFallback(up, x.image, x.dockerHost);
    if (x.kind === 'docker') throw new Error(`EXECUTOR=docker but ${reason}; fix: ${fix}`);
    o.log.warn({ reason, fix }, 'running steps as local processes');
  }
  const cmd = localCommand(x);
  return { runner: createLocalRunner({ programs: { aaorun: cmd } }), description: `local processes (${cmd.join(' ')})`, pipeline: await localIdentity(x, cmd) };
}

const localCommand = (x: ExecutorSettings) => (x.aaorunCommand ? x.aaorunCommand.split(/\s+/) : [process.execPath, path.join(projectRoot, 'bin/aaorun.js')]);

const localIdentity = (x: ExecutorSettings, cmd: string[]) =>
  x.pipelineVersion ? Promise.resolve(configuredPipeline(x.pipelineVersion, cmd.join(' '))) : localPipeline(cmd, projectRoot, !x.aaorunCommand);

/**
 * The pipeline chooseRunner would pick, without building a runner (drsoda plan, DataLink's planned products):
 * the image's id when steps would run in Docker, else the local program's identity. Throws as chooseRunner does.
 */
export async function resolvePipeline(x: ExecutorSettings, log: Logger): Promise<PipelineIdentity> {
  if (x.kind !== 'local') {
    const containers = createContainerClient({ dockerHost: x.dockerHost, log });
    const up = await containers.answers();
    const id = up ? await containers.imageId(x.image) : null;
    if (id) return imagePipeline(x.image, id);
    if (x.kind === 'docker') {
      const { reason, fix } = localFallback(up, x.image, x.dockerHost);
      throw new Error(`EXECUTOR=docker but ${reason}; fix: ${fix}`);
    }
  }
  return localIdentity(x, localCommand(x));
}

/** EXECUTOR=slurm: throws when no records store is given or the controller does not answer. */
async function chooseSlurm(x: ExecutorSettings, o: ChooseRunnerOptions): Promise<RunnerChoice> {
  if (!o.slurmRecords) throw new Error('EXECUTOR=slurm needs the database to record Slurm job ids');
  const s = x.slurm;
  const cli = createSlurmClient(s);
  const partitions = await cli.partitions().catch((err: Error) => {
    throw new Error(`EXECUTOR=slurm but the Slurm controller does not answer (${slurmEndpoint(s)}): ${err.message}`);
  });
  if (s.partition && !partitions.includes(s.partition)) throw new Error(`SLURM_PARTITION=${s.partition} is not a partition of this cluster (${partitions.join(', ')})`);
  const common = {
    cli, jobRoot: s.jobDir ?? path.join(x.dataDir, 'slurm'), runtime: s.runtime, aaorun: s.aaorun,
    image: x.image, user: x.user, cpus: x.stepCpus, memoryBytes: x.stepMemoryBytes,
    partition: s.partition, account: s.account, qos: s.qos, log: o.log.child({ executor: 'slurm' }),
  };
  if (s.submit === 'dag' && !(o.slurmDag && o.productFile)) throw new Error('SLURM_SUBMIT=dag needs the database and the product store');
  const dag = s.submit === 'dag' ? createDagSubmitter({ ...common, records: o.slurmDag!, archiveRoot: o.archiveRoot, productFile: o.productFile!, stepTimeoutS: x.stepTimeoutS }) : undefined;
  const runner = createSlurmRunner({ ...common, records: o.slurmRecords, pollMs: s.pollMs, dag });
  // Native: drsoda cannot see the nodes' aaorun, so the operator names it (PIPELINE_VERSION). Containers: the image's
  // id when this host's daemon has it (the nodes must load the same image), else PIPELINE_VERSION or its name.
  const pipeline = s.runtime === 'native' ? configuredPipeline(x.pipelineVersion ?? 'unversioned', s.aaorun.join(' ')) : await slurmImagePipeline(x, o.log);
  return { runner, description: `slurm batch job per step${dag ? ', waiting steps handed over with afterok' : ''} (${s.runtime}: ${s.runtime === 'native' ? s.aaorun.join(' ') : x.image})`, pipeline };
}

async function slurmImagePipeline(x: ExecutorSettings, log: Logger): Promise<PipelineIdentity> {
  if (x.pipelineVersion) return configuredPipeline(x.pipelineVersion, x.image);
  const id = await createContainerClient({ dockerHost: x.dockerHost, log }).imageId(x.image).catch(() => null);
  return id ? imagePipeline(x.image, id) : { id: `image ${x.image}`, description: `${x.image} (image id not seen from this host)` };
}
