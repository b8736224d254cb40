// Container hygiene and labelling shared by container-per-step and warm-sandbox modes.
import type Docker from 'dockerode';
import type { StepLabels } from './types.js';

export interface ContainerLimits {
  /** CPUs a step may use (fractional allowed). */
  cpus: number;
  memoryBytes: number;
  pids: number;
  tmpfsBytes: number;
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

/** Rejects when p takes longer than ms; the operation itself is not cancelled. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Daemon unreachable, restarting, or timing out: the step may succeed if retried. */
export function isTransientDockerError(e: unknown): boolean {
  const err = e as { code?: string; statusCode?: number; message?: string };
  if (err.code && ['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'].includes(err.code)) return true;
  if (err.statusCode && err.statusCode >= 500) return true;
  return /socket hang up|connect|timed out|daemon/i.test(err.message ?? '');
}

/**
 * Resolves with the container's exit status from `waited` (its wait() call). A daemon that drops the connection
 * mid-response (dockerd restarting) leaves dockerode's wait() pending forever, so the container is inspected
 * every pollMs as well: an exited container resolves, an unreachable daemon or a vanished container rejects.
 */
export function watchContainerEnd(container: Docker.Container, waited: Promise<unknown>, o: { apiTimeoutMs: number; pollMs?: number }): Promise<{ StatusCode: number }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      f();
    };
    const timer = setInterval(() => {
      withDeadline(container.inspect(), o.apiTimeoutMs, 'docker inspect').then(
        (info) => {
          if (!info.State.Running && info.State.Status !== 'created') settle(() => resolve({ StatusCode: info.State.ExitCode }));
        },
        (err) => settle(() => reject(err)),
      );
    }, o.pollMs ?? 2000);
    waited.then(
      (s) => settle(() => resolve(s as { StatusCode: number })),
      (err) => settle(() => reject(err)),
    );
  });
}

/**
 * Removes a container. When the daemon cannot be reached (a restart), keeps trying in the background with
 * backoff for up to 10 minutes, so the container does not outlive its step.
 */
export async function removeContainer(container: Docker.Container, apiTimeoutMs: number): Promise<void> {
  const attempt = () => withDeadline(container.remove({ force: true, v: true }), apiTimeoutMs, 'docker rm');
  const gone = (e: unknown) => (e as { statusCode?: number }).statusCode === 404;
  try {
    await attempt();
  } catch (e) {
    if (gone(e) || !isTransientDockerError(e)) return;
    const t0 = Date.now();
    const retry = (delay: number) =>
      setTimeout(() => {
        attempt().catch((err) => {
          if (!gone(err) && Date.now() - t0 < 600000) retry(Math.min(delay * 2, 30000));
        });
      }, delay).unref();
    retry(1000);
  }
}

/** Removes every drsoda container matching the labels (start-up reaper, job cleanup); returns how many. */
export async function removeLabelledContainers(docker: Docker, labels: Record<string, string>): Promise<number> {
  const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
  const list = await withDeadline(docker.listContainers({ all: true, filters: JSON.stringify(filters) }), 30000, 'docker ps');
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  return list.length;
}
