// The one way drsoda reaches Docker: every daemon call is bounded in time and logged as a before/after pair,
// and the dockerode objects never leave this folder (callers hold container ids).
import type { Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from '../logger.js';
import { createOptions, LABEL_PREFIX, type ContainerSpec } from './container-spec.js';
import { isNotFound, isTransientDockerError, withDeadline } from './deadline.js';
import { dockerFromHost } from './docker-host.js';

export interface ContainerTimeouts {
  /** Container calls: create, attach, start, inspect, kill, remove (default 30 s). */
  apiMs: number;
  /** ping (default 3 s): a daemon that is slower than this is treated as absent. */
  pingMs: number;
  /** Image inspect and daemon version (default 10 s). */
  imageMs: number;
  /** Listing containers by label (default 30 s). */
  listMs: number;
}

export const DEFAULT_CONTAINER_TIMEOUTS: Readonly<ContainerTimeouts> = Object.freeze({ apiMs: 30000, pingMs: 3000, imageMs: 10000, listMs: 30000 });

export interface ContainerState {
  running: boolean;
  /** created, running, exited, dead... */
  status: string;
  exitCode: number;
  oomKilled: boolean;
  /** The id of the image the container runs. */
  image: string;
}

export interface ContainerSummary {
  id: string;
  labels: Record<string, string>;
  state: string;
}

export interface ImageFacts {
  id: string;
  /** Registry digests (`name@sha256:...`); empty for an image built locally. */
  repoDigests: string[];
  created: string;
  labels: Record<string, string>;
}

export interface DaemonVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

/** Every method rejects with the daemon's error, or with code ETIMEDOUT past its deadline, unless it says otherwise. */
export interface ContainerClient {
  ping(): Promise<void>;
  /** True when the daemon answers within the ping deadline; never rejects. */
  answers(): Promise<boolean>;
  version(): Promise<DaemonVersion>;
  inspectImage(image: string): Promise<ImageFacts>;
  /** The image's id (content digest), or null when the daemon does not have it or cannot be asked. */
  imageId(image: string): Promise<string | null>;
  /** Creates a hardened container (container-spec.ts) and returns its id. */
  create(spec: ContainerSpec): Promise<string>;
  /** Copies the container's stdout and stderr into the sinks; `ended` resolves when its output stream ends. */
  attach(id: string, sinks: { stdout: Writable; stderr: Writable }): Promise<{ ended: Promise<void> }>;
  start(id: string): Promise<void>;
  /**
   * The container's exit status. Call it before start(). A daemon that drops the connection mid-response
   * (dockerd restarting) leaves the wait pending forever, so the container is inspected every pollMs too:
   * an exited container resolves, an unreachable daemon or a vanished container rejects.
   */
  waitForExit(id: string, pollMs?: number): Promise<number>;
  inspect(id: string): Promise<ContainerState>;
  kill(id: string, signal?: string): Promise<void>;
  /**
   * Removes the container and its volumes; never rejects. While the daemon cannot be reached (a restart) it
   * keeps trying in the background with backoff for up to 10 minutes, so the container does not outlive its step.
   */
  remove(id: string): Promise<void>;
  /** drsoda's containers (running or not) carrying all these labels. */
  list(labels: Record<string, string>): Promise<ContainerSummary[]>;
  /** Removes every container carrying the labels (start-up reaper, job cleanup); returns how many there were. */
  removeLabelled(labels: Record<string, string>): Promise<number>;
}

export interface ContainerClientOptions {
  /** DOCKER_HOST: unix://, tcp://, http:// or https://; unset = dockerode's default (the local socket). */
  dockerHost?: string;
  log: Logger;
  timeouts?: Partial<ContainerTimeouts>;
}

// op is named after the docker CLI command it matches (rm, ps...), as the deadline messages were.
type CallFields = { containerId?: string; image?: string; stepId?: string; jobId?: string };

/** Throws when dockerHost has a scheme Docker cannot be reached by. */
export function createContainerClient(o: ContainerClientOptions): ContainerClient {
  const docker: Docker = dockerFromHost(o.dockerHost);
  const t: ContainerTimeouts = { ...DEFAULT_CONTAINER_TIMEOUTS, ...o.timeouts };
  const log = o.log.child({ component: 'docker' });

  function logged<T>(op: string, fields: CallFields, run: () => Promise<T>, idOf?: (r: T) => string): Promise<T> {
    const t0 = performance.now();
    log.debug({ op, ...fields }, 'docker call');
    const durationMs = () => Math.round(performance.now() - t0);
    return run().then(
      (r) => {
        log.debug({ op, ...fields, ...(idOf ? { containerId: idOf(r) } : {}), durationMs: durationMs() }, 'docker call done');
        return r;
      },
      (e: unknown) => {
        log.debug({ op, ...fields, durationMs: durationMs(), error: (e as Error)?.message ?? String(e) }, 'docker call done');
        throw e;
      },
    );
  }
  const call = <T>(op: string, fields: CallFields, ms: number, f: () => Promise<T>, idOf?: (r: T) => string) =>
    logged(op, fields, () => withDeadline(f(), ms, `docker ${op}`), idOf);
  const container = (id: string) => docker.getContainer(id);
  const inspectState = async (id: string): Promise<ContainerState> => {
    const info = await container(id).inspect();
    return { running: info.State.Running, status: info.State.Status, exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled, image: info.Image };
  };

  const client: ContainerClient = {
    ping: () => call('ping', {}, t.pingMs, () => docker.ping()).then(() => {}),
    answers: () => client.ping().then(() => true, () => false),
    async version() {
      const v = await call('version', {}, t.imageMs, () => docker.version());
      return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
    },
    async inspectImage(image) {
      const info = await call('image inspect', { image }, t.imageMs, () => docker.getImage(image).inspect());
      return { id: info.Id, repoDigests: info.RepoDigests ?? [], created: info.Created, labels: info.Config?.Labels ?? {} };
    },
    imageId: (image) => client.inspectImage(image).then((i) => i.id, () => null),
    create: (spec) =>
      call('create', { image: spec.image, stepId: spec.labels[`${LABEL_PREFIX}.step`], jobId: spec.labels[`${LABEL_PREFIX}.job`] }, t.apiMs, () => docker.createContainer(createOptions(spec)), (c) => c.id).then((c) => c.id),
    async attach(id, sinks) {
      const c = container(id);
      const stream = await call('attach', { containerId: id }, t.apiMs, () => c.attach({ stream: true, stdout: true, stderr: true }));
      const ended = new Promise<void>((resolve) => stream.on('end', resolve).on('close', resolve).on('error', () => resolve()));
      c.modem.demuxStream(stream, sinks.stdout, sinks.stderr);
      return { ended };
    },
    start: (id) => call('start', { containerId: id }, t.apiMs, () => container(id).start()).then(() => {}),
    waitForExit(id, pollMs = 2000) {
      // The wait is issued now, before any await, so an exit right after start() cannot be missed.
      const waited = container(id).wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
      return logged('wait', { containerId: id }, () => watchExit(id, waited, pollMs));
    },
    inspect: (id) => call('inspect', { containerId: id }, t.apiMs, () => inspectState(id)),
    kill: (id, signal = 'SIGKILL') => call('kill', { containerId: id }, t.apiMs, () => container(id).kill({ signal })).then(() => {}),
    async remove(id) {
      const attempt = () => call('rm', { containerId: id }, t.apiMs, () => container(id).remove({ force: true, v: true }));
      try {
        await attempt();
      } catch (e) {
        if (isNotFound(e) || !isTransientDockerError(e)) return;
        const t0 = Date.now();
        const retry = (delay: number) =>
          setTimeout(() => {
            attempt().catch((err) => {
              if (!isNotFound(err) && Date.now() - t0 < 600000) retry(Math.min(delay * 2, 30000));
            });
          }, delay).unref();
        retry(1000);
      }
    },
    async list(labels) {
      const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
      const found = await call('ps', {}, t.listMs, () => docker.listContainers({ all: true, filters }));
      return found.map((c) => ({ id: c.Id, labels: c.Labels, state: c.State }));
    },
    async removeLabelled(labels) {
      const found = await client.list(labels);
      await Promise.all(found.map((c) => call('rm', { containerId: c.id }, t.apiMs, () => container(c.id).remove({ force: true, v: true })).catch(() => {})));
      return found.length;
    },
  };

  function watchExit(id: string, waited: Promise<{ StatusCode: number }>, pollMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        f();
      };
      // The polls belong to the one logged `wait` call: a step of an hour would otherwise log 1,800 inspect pairs.
      const timer = setInterval(() => {
        withDeadline(inspectState(id), t.apiMs, 'docker inspect').then(
          (s) => {
            if (!s.running && s.status !== 'created') settle(() => resolve(s.exitCode));
          },
          (err) => settle(() => reject(err)),
        );
      }, pollMs);
      waited.then(
        (s) => settle(() => resolve(s.StatusCode)),
        (err) => settle(() => reject(err)),
      );
    });
  }

  return client;
}
