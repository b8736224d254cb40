// The stand-in reducer image (drsoda/aaorun) at start-up: built when a Docker daemon answers and it is missing,
// and, when steps must run as local processes instead, the one command that would put them in containers.
// The build runs deploy/reducer/build-image.sh, the same recipe as `npm run image:reducer` and CI, rather than a
// second copy of it through the daemon's build API (which would need a tar stream of the root filesystem).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.js';
import { createContainerClient, type ContainerClient } from './container-client.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD_SCRIPT = path.join(projectRoot, 'deploy/reducer/build-image.sh');
/** The script takes seconds; its own steps have timeouts, this bounds the whole (a daemon that stalls mid-build). */
export const BUILD_TIMEOUT_MS = 5 * 60_000;

/** Only the stand-in is built here: a site's real 2dFdr image comes from its own build (deploy/2dfdr/). */
export const isStandIn = (image: string) => /^drsoda\/aaorun(:[\w.-]+)?$/.test(image);

/** The first program of that name on PATH, or undefined. */
export function onPath(program: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Why this machine cannot build the image and the command that changes that; undefined when it can. */
export function buildBlocker(image: string, envPath?: string): { reason: string; fix: string } | undefined {
  if (!isStandIn(image)) return { reason: `image ${image} is missing`, fix: `docker pull ${image} (or build it: deploy/2dfdr/README.md)` };
  if (!onPath('busybox', envPath)) return { reason: `image ${image} is missing and building it needs busybox`, fix: 'sudo apt-get install busybox-static' };
  if (!existsSync(BUILD_SCRIPT) || !existsSync(path.join(projectRoot, 'node_modules/.bin/esbuild'))) {
    return { reason: `image ${image} is missing and this install cannot build it (no deploy/ or esbuild)`, fix: 'npm run image:reducer (in a checkout with its dev dependencies)' };
  }
  return undefined;
}

/** What the local-process fallback tells the operator: why steps are not in containers and how to change it. */
export function localFallback(daemonUp: boolean, image: string, dockerHost?: string): { reason: string; fix: string } {
  if (!daemonUp) return { reason: `no Docker daemon answers${dockerHost ? ` at ${dockerHost}` : ''}`, fix: dockerHost ? `start the daemon at ${dockerHost}` : 'sudo systemctl start docker' };
  return buildBlocker(image) ?? { reason: `image ${image} is missing`, fix: 'npm run image:reducer' };
}

export interface EnsureImageOptions {
  image: string;
  dockerHost?: string;
  log: Logger;
  containers?: ContainerClient;
  /** PATH searched for busybox (tests). */
  envPath?: string;
  timeoutMs?: number;
}

export type EnsureImageResult = 'present' | 'built' | 'no-daemon' | 'cannot-build' | 'build-failed';

/** Builds the stand-in image when the daemon answers and it is missing; never throws (the executor falls back). */
export async function ensureReducerImage(o: EnsureImageOptions): Promise<EnsureImageResult> {
  let containers: ContainerClient;
  try {
    containers = o.containers ?? createContainerClient({ dockerHost: o.dockerHost, log: o.log });
  } catch {
    return 'no-daemon'; // a malformed DOCKER_HOST: the executor names it
  }
  if (!(await containers.answers())) return 'no-daemon';
  if (await containers.imageId(o.image)) return 'present';
  if (buildBlocker(o.image, o.envPath)) return 'cannot-build';
  const t0 = Date.now();
  o.log.info({ image: o.image }, 'building the reducer image (steps will run in containers)');
  const { code, output } = await runScript(o.image, o.timeoutMs ?? BUILD_TIMEOUT_MS, o.envPath, o.dockerHost);
  if (code === 0 && (await containers.imageId(o.image))) {
    o.log.info({ image: o.image, seconds: Math.round((Date.now() - t0) / 100) / 10 }, 'reducer image built');
    return 'built';
  }
  o.log.warn({ image: o.image, exitCode: code, output: output.trim().split('\n').slice(-5).join(' | ') }, 'reducer image build failed');
  return 'build-failed';
}

function runScript(image: string, timeoutMs: number, envPath?: string, dockerHost?: string): Promise<{ code: number | null; output: string }> {
  // What the script's tools read: PATH (node, npx, busybox, docker), HOME and TMPDIR, and the daemon the service uses.
  const env: Record<string, string> = { PATH: envPath ?? process.env.PATH ?? '/usr/bin:/bin' };
  for (const k of ['HOME', 'TMPDIR'] as const) if (process.env[k]) env[k] = process.env[k]!;
  if (dockerHost) env.DOCKER_HOST = dockerHost;
  return new Promise((resolve) => {
    let output = '';
    const child = spawn('bash', [BUILD_SCRIPT, image], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGTERM',
    });
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => resolve({ code: null, output: `${output}${err.message}` }));
    child.on('close', (code, signal) => resolve({ code, output: signal ? `${output}killed by ${signal} after ${timeoutMs} ms` : output }));
  });
}
