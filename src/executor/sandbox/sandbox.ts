// One warm sandbox: a long-lived container running the launcher, fed through FIFOs in a bind-mounted ctl dir.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { chown, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ContainerClient } from '../container-client.js';
import { containerLabels, type ContainerLimits } from '../container-spec.js';
import { withDeadline } from '../deadline.js';
import { LAUNCHER_SH } from './launcher.js';

const run = promisify(execFile);

/** A host folder the sandbox sees read-only at containerPath (archive root, product store). */
export interface ReadOnlyRoot {
  hostPath: string;
  containerPath: string;
}

export interface SandboxOptions {
  containers: ContainerClient;
  image: string;
  limits: ContainerLimits;
  user: string;
  /** Host folder for this sandbox's ctl/ and steps/ (created, removed with the sandbox). */
  dir: string;
  roots: ReadOnlyRoot[];
  labels: { workerId?: string; jobId?: string; owner?: string };
  /** Start Xvfb inside (real 2dFdr needs a DISPLAY). */
  xvfb?: boolean;
  readyTimeoutMs?: number;
}

export interface StepDone {
  status: number;
  stray: boolean;
}

export class Sandbox {
  readonly id = `sbx-${randomBytes(6).toString('hex')}`;
  readonly ctlDir: string;
  readonly stepsDir: string;
  /** Set after a crash or stray processes: finish running steps, then replace. */
  tainted = false;
  dead = false;
  lastUsed = Date.now();
  running = 0;
  private containerId?: string;
  private requests?: import('node:fs/promises').FileHandle;
  private events?: net.Socket;
  private waiters = new Map<string, (d: StepDone | Error) => void>();
  private ready?: (e?: Error) => void;

  constructor(readonly o: SandboxOptions) {
    this.ctlDir = path.join(o.dir, 'ctl');
    this.stepsDir = path.join(o.dir, 'steps');
  }

  /** Creates the container and waits for the launcher's `ready`. Throws (after cleaning up) on failure. */
  async start(): Promise<void> {
    const [uid, gid] = this.o.user.split(':').map(Number);
    try {
      await mkdir(this.ctlDir, { recursive: true });
      await mkdir(this.stepsDir, { recursive: true });
      await writeFile(path.join(this.ctlDir, 'launcher.sh'), LAUNCHER_SH, { mode: 0o755 });
      await run('mkfifo', ['-m', '0600', path.join(this.ctlDir, 'requests'), path.join(this.ctlDir, 'events')], { timeout: 5000 });
      for (const p of [this.ctlDir, this.stepsDir, path.join(this.ctlDir, 'requests'), path.join(this.ctlDir, 'events')]) {
        await chown(p, uid, gid ?? uid).catch(() => {});
      }
      // O_RDWR opens never block on a FIFO and never see EOF when the other side restarts.
      this.requests = await open(path.join(this.ctlDir, 'requests'), 'r+');
      // A plain fd (not a FileHandle, which would close it on GC): the socket owns it from here on.
      const evFd = openSync(path.join(this.ctlDir, 'events'), 'r+');
      this.events = new net.Socket({ fd: evFd, readable: true, writable: false });
      this.listen(this.events);
      const readyP = new Promise<void>((resolve, reject) => (this.ready = (e) => (e ? reject(e) : resolve())));
      const docker = this.o.containers;
      const id = await docker.create({
        image: this.o.image,
        entrypoint: ['/bin/sh', '/ctl/launcher.sh'],
        cmd: [],
        workingDir: '/steps',
        user: this.o.user,
        env: this.o.xvfb ? { DRSODA_XVFB: '1', DISPLAY: ':99' } : {},
        labels: containerLabels({ ...this.o.labels, kind: 'sandbox' }),
        binds: [`${this.ctlDir}:/ctl:rw`, `${this.stepsDir}:/steps:rw`, ...this.o.roots.map((r) => `${r.hostPath}:${r.containerPath}:ro`)],
        limits: this.o.limits,
      });
      this.containerId = id;
      void docker.waitForExit(id).then(
        () => this.onContainerGone('sandbox container exited'),
        (e: Error) => this.onContainerGone(`sandbox container lost: ${e.message}`),
      );
      await docker.start(id);
      await withDeadline(readyP, this.o.readyTimeoutMs ?? 30000, 'sandbox launcher start');
    } catch (e) {
      await this.destroy();
      throw e;
    }
  }

  private listen(s: net.Socket): void {
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [verb, id, status, stray] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        if (verb === 'ready') this.ready?.();
        else if (verb === 'done') {
          const w = this.waiters.get(id);
          this.waiters.delete(id);
          w?.({ status: Number(status), stray: stray === '1' });
        }
      }
    });
    s.on('error', () => {});
  }

  private onContainerGone(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.tainted = true;
    this.ready?.(new Error(reason));
    for (const [, w] of this.waiters) w(new Error(reason));
    this.waiters.clear();
  }

  /** Writes the step script, starts it, and resolves when the launcher reports it done. */
  async exec(stepKey: string, script: string): Promise<StepDone> {
    if (this.dead || !this.requests) throw new Error('sandbox is not running');
    const [uid, gid] = this.o.user.split(':').map(Number);
    const cmd = path.join(this.ctlDir, `${stepKey}.cmd`);
    await writeFile(cmd, script, { mode: 0o644 });
    await chown(cmd, uid, gid ?? uid).catch(() => {});
    this.running++;
    this.lastUsed = Date.now();
    try {
      const done = new Promise<StepDone>((resolve, reject) =>
        this.waiters.set(stepKey, (d) => (d instanceof Error ? reject(d) : resolve(d))),
      );
      await this.requests.write(`run ${stepKey}\n`);
      return await done;
    } finally {
      this.running--;
      this.lastUsed = Date.now();
    }
  }

  /** Kills a running step's process group (timeout, abort). */
  async kill(stepKey: string): Promise<void> {
    await this.requests?.write(`kill ${stepKey}\n`).catch(() => {});
  }

  async output(stepKey: string): Promise<{ stdout: string; stderr: string }> {
    const read = (ext: string) => readFile(path.join(this.ctlDir, `${stepKey}.${ext}`), 'utf8').catch(() => '');
    return { stdout: await read('out'), stderr: await read('err') };
  }

  async forgetStep(stepKey: string): Promise<void> {
    await Promise.all(['cmd', 'out', 'err', 'pid'].map((e) => rm(path.join(this.ctlDir, `${stepKey}.${e}`), { force: true })));
  }

  /** Removes the container and the sandbox folder. Safe to call more than once. */
  async destroy(): Promise<void> {
    this.onContainerGone('sandbox destroyed');
    if (this.containerId) await this.o.containers.remove(this.containerId);
    this.events?.destroy();
    await this.requests?.close().catch(() => {});
    await rm(this.o.dir, { recursive: true, force: true });
  }
}
