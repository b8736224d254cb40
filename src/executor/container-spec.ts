// What a drsoda container is made of: its labels and the hardened settings every step container gets.
import type Docker from 'dockerode';
import type { StepLabels } from './types.js';

export interface ContainerLimits {
  /** CPUs a step may use (fractional allowed). */
  cpus: number;
  memoryBytes: number;
  pids: number;
  tmpfsBytes: number;
}

/** A container to create: the client adds the hardening, so no caller can create an unconfined one. */
export interface ContainerSpec {
  image: string;
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  /** uid:gid inside the container; never root. */
  user: string;
  env: Record<string, string>;
  /** From containerLabels(): the reaper and the tests find containers by them. */
  labels: Record<string, string>;
  /** `host:container:ro|rw` bind mounts. */
  binds: string[];
  limits: ContainerLimits;
}

export const LABEL_PREFIX = 'org.drsoda';

export function containerLabels(l: Partial<StepLabels> & { kind?: string }): Record<string, string> {
  const labels: Record<string, string> = { [`${LABEL_PREFIX}.managed`]: 'true' };
  if (l.kind) labels[`${LABEL_PREFIX}.kind`] = l.kind;
  if (l.stepId) labels[`${LABEL_PREFIX}.step`] = l.stepId;
  if (l.jobId) labels[`${LABEL_PREFIX}.job`] = l.jobId;
  if (l.owner) labels[`${LABEL_PREFIX}.owner`] = l.owner;
  if (l.workerId) labels[`${LABEL_PREFIX}.worker`] = l.workerId;
  return labels;
}

/** No network, no capabilities, no privilege escalation, read-only root, bounded CPU/memory/pids. */
export function hardenedHostConfig(l: ContainerLimits): Docker.HostConfig {
  return {
    NetworkMode: 'none',
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    ReadonlyRootfs: true,
    Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${l.tmpfsBytes}` },
    Memory: l.memoryBytes,
    MemorySwap: l.memoryBytes,
    NanoCpus: Math.round(l.cpus * 1e9),
    PidsLimit: l.pids,
    AutoRemove: false,
  };
}

/** The daemon's create request for a spec. */
export function createOptions(s: ContainerSpec): Docker.ContainerCreateOptions {
  return {
    Image: s.image,
    Entrypoint: s.entrypoint,
    Cmd: s.cmd,
    WorkingDir: s.workingDir,
    User: s.user,
    Env: Object.entries(s.env).map(([k, v]) => `${k}=${v}`),
    Labels: s.labels,
    NetworkDisabled: true,
    HostConfig: { ...hardenedHostConfig(s.limits), Binds: s.binds },
  };
}
