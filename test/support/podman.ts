// Rootless Podman for the Slurm tests: installs Debian's podman when missing, and a non-root user
// (`drsoda-podman`, with subordinate uid/gid ranges) whose Slurm jobs run `podman run` rootless. Podman does not
// share Docker's image store and no registry is reachable: images are copied over with `docker save | podman load`.
// Under CI=true a missing podman fails the test (the caller does not catch).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PODMAN_USER = 'drsoda-podman';

export interface PodmanUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** Runs podman as this user; resolves stdout. */
  podman(args: string[], timeoutMs?: number): Promise<string>;
  /** Copies a Docker image into this user's podman store unless the same image id is there already. */
  loadFromDocker(image: string): Promise<void>;
  /** Names of this user's podman containers (any state) carrying a label. */
  containers(label: string): Promise<string[]>;
  /** The environment a process of this user needs (HOME for podman's store, USER for Slurm). */
  env: Record<string, string>;
}

async function ensurePodman(): Promise<void> {
  if (existsSync('/usr/bin/podman') && existsSync('/usr/bin/newuidmap')) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env, timeout: 300000 });
    await run('apt-get', ['install', '-y', '-qq', 'podman', 'uidmap'], { env, timeout: 900000 });
  } catch (err) {
    throw new Error(`these tests need podman (apt-get install podman uidmap) and apt-get could not install it: ${(err as Error).message.slice(0, 400)}`);
  }
  if (!existsSync('/usr/bin/podman')) throw new Error('apt-get ran but /usr/bin/podman is still missing');
}

/** The subordinate range of a user in /etc/subuid or /etc/subgid, if any. */
function hasRange(file: string, name: string): boolean {
  return existsSync(file) && readFileSync(file, 'utf8').split('\n').some((l) => l.startsWith(`${name}:`));
}

/** Podman installed and a non-root user set up for rootless containers (created once; kept like a package). */
export async function requirePodmanUser(): Promise<PodmanUser> {
  await ensurePodman();
  const exists = await run('id', ['-u', PODMAN_USER]).then(() => true, () => false);
  if (!exists) {
    // Exit status 9: another test file created it meanwhile.
    await run('useradd', ['--create-home', '--shell', '/usr/sbin/nologin', '--comment', 'drsoda rootless podman tests', PODMAN_USER], { timeout: 30000 }).catch((err: { code?: number }) => {
      if (err.code !== 9) throw err;
    });
  }
  // useradd adds subordinate ranges where login.defs asks it to; otherwise give the user 65536 ids of its own.
  if (!hasRange('/etc/subuid', PODMAN_USER) || !hasRange('/etc/subgid', PODMAN_USER)) {
    await run('usermod', ['--add-subuids', '300000-365535', '--add-subgids', '300000-365535', PODMAN_USER], { timeout: 30000 });
  }
  const uid = Number((await run('id', ['-u', PODMAN_USER])).stdout.trim());
  const gid = Number((await run('id', ['-g', PODMAN_USER])).stdout.trim());
  const home = (await run('getent', ['passwd', PODMAN_USER])).stdout.split(':')[5];
  const env = { HOME: home, USER: PODMAN_USER, LOGNAME: PODMAN_USER, PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const podman = async (args: string[], timeoutMs = 120000) =>
    (await run('podman', args, { uid, gid, env, cwd: home, timeout: timeoutMs, maxBuffer: 16 << 20 })).stdout;
  const loadFromDocker = async (image: string) => {
    const dockerId = (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { timeout: 30000 })).stdout.trim();
    const podId = await podman(['image', 'inspect', '--format', '{{.Id}}', image]).then((s) => `sha256:${s.trim()}`, () => '');
    if (podId === dockerId) return;
    await new Promise<void>((resolve, reject) => {
      const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'pipe'] });
      const load = spawn('podman', ['load', '-q'], { uid, gid, env, cwd: home, stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      save.stderr.on('data', (d) => (err += d));
      load.stderr.on('data', (d) => (err += d));
      save.stdout.pipe(load.stdin);
      const t = setTimeout(() => {
        save.kill();
        load.kill();
      }, 300000);
      load.on('exit', (code) => {
        clearTimeout(t);
        save.kill(); // a load that failed leaves docker save blocked on a full pipe
        if (code === 0) resolve();
        else reject(new Error(`docker save ${image} | podman load failed: ${err.slice(-500)}`));
      });
    });
  };
  const containers = async (label: string) =>
    (await podman(['ps', '-a', '--filter', `label=${label}`, '--format', '{{.Names}}'])).split('\n').filter(Boolean);
  return { name: PODMAN_USER, uid, gid, home, podman, loadFromDocker, containers, env };
}
